"""Compliance: meetings each branch must hold a year against meetings held; members' attendance history.

A meeting is held when it was not cancelled and has ended. A joint meeting counts once for every
invited branch (the organizing branch is always among the invited): each branch held it with its
members. Years and months are counted in the portal's time zone (Asia/Shanghai).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from branches.models import Organization
from members.models import Member

from .models import Attendance, Meeting, MeetingKind, MeetingRequirement

# DOMAIN.md, "Meetings": the default yearly frequency of each kind; MeetingRequirement rows override it.
DEFAULT_PER_YEAR = {
    MeetingKind.GENERAL_MEETING: 4,
    MeetingKind.COMMITTEE_MEETING: 12,
    MeetingKind.GROUP_MEETING: 12,
    MeetingKind.PARTY_LECTURE: 4,
    MeetingKind.THEME_DAY: 12,
    MeetingKind.LIFE_MEETING: 1,
    MeetingKind.DEMOCRATIC_APPRAISAL: 1,
}


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def held_meetings(now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings that count as held: not cancelled, and ended."""
    return Meeting.objects.filter(status=Meeting.Status.SCHEDULED, ends_at__lte=now or timezone.now())


@dataclass
class KindCompliance:
    kind: str
    label: str
    required: int
    held: int

    @property
    def missing(self) -> int:
        return max(self.required - self.held, 0)


@dataclass
class BranchCompliance:
    organization: Organization
    year: int
    kinds: list[KindCompliance] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(k.required for k in self.kinds)

    @property
    def held(self) -> int:
        return sum(min(k.held, k.required) for k in self.kinds)

    @property
    def missing(self) -> int:
        return sum(k.missing for k in self.kinds)

    @property
    def is_behind(self) -> bool:
        return self.missing > 0


def _ancestor_paths(org: Organization) -> list[str]:
    step = Organization.steplen
    return [org.path[: i * step] for i in range(1, len(org.path) // step + 1)]


def requirements_for(organizations: list[Organization], year: int) -> dict[int, dict[str, int]]:
    """Each organization's required count per kind for the year (one query).

    The nearest organization's row wins (itself, then its ancestors, then the default row); for the
    same organization a row for the year beats an every-year row; DOMAIN.md defaults come last.
    """
    paths = {p for org in organizations for p in _ancestor_paths(org)}
    rows = list(
        MeetingRequirement.objects.filter(Q(year=year) | Q(year__isnull=True))
        .filter(Q(organization__isnull=True) | Q(organization__path__in=paths))
        .select_related("organization")
    )
    result = {}
    for org in organizations:
        best: dict[str, tuple] = {}
        for row in rows:
            if row.organization is not None and not org.path.startswith(row.organization.path):
                continue
            rank = (len(row.organization.path) if row.organization else 0, row.year is not None)
            if row.kind not in best or rank > best[row.kind][0]:
                best[row.kind] = (rank, row.per_year)
        result[org.pk] = {
            kind: best[kind][1] if kind in best else DEFAULT_PER_YEAR[kind] for kind in MeetingKind.values
        }
    return result


def held_counts(organizations: list[Organization], year: int, *, now=None) -> dict[int, dict[str, int]]:
    """Meetings held per organization and kind in the year (one query); joint meetings count for each."""
    start, end = year_bounds(year)
    rows = (
        held_meetings(now)
        .filter(starts_at__gte=start, starts_at__lt=end, invited_organizations__in=organizations)
        .values("invited_organizations", "kind")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    result: dict[int, dict[str, int]] = {org.pk: {} for org in organizations}
    for row in rows:
        result[row["invited_organizations"]][row["kind"]] = row["n"]
    return result


def branches_compliance(organizations: list[Organization], year: int, *, now=None) -> list[BranchCompliance]:
    """Compliance of each organization, in the order given (two queries)."""
    organizations = list(organizations)
    required = requirements_for(organizations, year)
    held = held_counts(organizations, year, now=now)
    labels = dict(MeetingKind.choices)
    return [
        BranchCompliance(
            organization=org,
            year=year,
            kinds=[
                KindCompliance(kind, labels[kind], required[org.pk][kind], held[org.pk].get(kind, 0))
                for kind in MeetingKind.values
            ],
        )
        for org in organizations
    ]


def branch_compliance(organization: Organization, year: int, *, now=None) -> BranchCompliance:
    return branches_compliance([organization], year, now=now)[0]


def county_compliance(
    organizations: QuerySet[Organization], year: int, *, now=None
) -> list[BranchCompliance]:
    """Every branch among `organizations` (three queries): those falling behind first, most missing
    first, then by name."""
    branches = list(organizations.filter(kind=Organization.Kind.BRANCH).order_by("path"))
    rows = branches_compliance(branches, year, now=now)
    return sorted(rows, key=lambda r: (-r.missing, r.organization.name))


def member_entitled_meetings(member: Member) -> QuerySet[Meeting]:
    """Meetings the member was entitled to attend: those with an attendance record of theirs (the meetings
    app makes one for every invited member when a meeting is scheduled)."""
    return Meeting.objects.filter(attendances__member=member)


def member_attendance_history(member: Member, *, now=None) -> QuerySet[Meeting]:
    """The member's past meetings, newest first, each with `my_attendance` (a list of 0 or 1 records)
    and its organization (two queries when evaluated)."""
    now = now or timezone.now()
    return (
        member_entitled_meetings(member)
        .filter(starts_at__lt=now)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "attendances", queryset=Attendance.objects.filter(member=member), to_attr="my_attendance"
            )
        )
        .order_by("-starts_at", "-pk")
    )
