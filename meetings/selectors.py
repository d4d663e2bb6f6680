"""Shared reads of meetings, always through the scope."""

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from members.activity_cards import cards_active
from members.models import Member, User
from members.scope import Scope

from .models import Attendance, Meeting

Invited = Meeting.invited_organizations.through


def meetings_visible(scope: Scope) -> QuerySet[Meeting]:
    """Meetings the user is invited to (through their branch) or may run as an officer."""
    if scope.is_superuser:
        return Meeting.objects.all()
    q = Q(organization__in=scope.roster_organizations())
    if scope.member is not None:
        invited = Invited.objects.filter(organization_id=scope.member.organization_id)
        q |= Q(pk__in=invited.values("meeting_id"))
    return Meeting.objects.filter(q)


def meeting_or_404(scope: Scope, pk) -> Meeting:
    meeting = meetings_visible(scope).select_related("organization").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def meetings_for_list(scope: Scope, *, now=None) -> QuerySet[Meeting]:
    """Upcoming meetings first, soonest first; then past ones, latest first. With the member's own reply."""
    now = now or timezone.now()
    mine = Attendance.objects.filter(member=scope.member) if scope.member else Attendance.objects.none()
    return (
        meetings_visible(scope)
        .select_related("organization")
        .prefetch_related(Prefetch("attendances", queryset=mine, to_attr="mine"))
        .annotate(
            upcoming_at=Case(When(ends_at__gte=now, then=F("starts_at"))),
            past_at=Case(When(ends_at__lt=now, then=F("starts_at"))),
        )
        .order_by(F("upcoming_at").asc(nulls_last=True), F("past_at").desc(nulls_last=True), "pk")
    )


def invitees(meeting: Meeting) -> QuerySet[Member]:
    """Members invited: those of the invited branches, and holders of an activity card in force on the
    meeting's day whose host branch is invited (they attend there without voting; their home branch
    still invites them too). Each member once."""
    organizations = meeting.invited_organizations.all()
    guests = cards_active(timezone.localdate(meeting.starts_at)).filter(host_organization__in=organizations)
    return Member.objects.filter(Q(organization__in=organizations) | Q(pk__in=guests.values("member_id")))


def invitee_accounts(meeting: Meeting) -> QuerySet[User]:
    """Accounts to notify: every invitee who has signed up, whatever their reply."""
    return User.objects.filter(
        is_active=True, member__in=Attendance.objects.filter(meeting=meeting).values("member_id")
    )


def attendance_sheet(meeting: Meeting) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("member", "corrected_by")
        .order_by("member__name", "pk")
    )


def attendance_counts(meeting: Meeting) -> dict:
    """Entitled, attended, on leave, and whether the meeting is quorate.

    Entitled: every invited member of the invited branches (one attendance row each, made when the
    meeting is scheduled); members on approved leave still count as entitled (DOMAIN.md). Guests on an
    activity card attend but are not counted for the quorum. Quorate: more than half attended.
    """
    own = Q(member__organization__in=meeting.invited_organizations.values("pk"))
    counts = Attendance.objects.filter(meeting=meeting).aggregate(
        entitled=Count("pk", filter=own),
        attended=Count("pk", filter=own & Q(checked_in_at__isnull=False)),
        on_leave=Count("pk", filter=own & Q(reply=Attendance.Reply.LEAVE)),
        guests=Count("pk", filter=~own),
    )
    counts["quorate"] = is_quorate(attended=counts["attended"], entitled=counts["entitled"])
    return counts


def is_quorate(*, attended: int, entitled: int) -> bool:
    return entitled > 0 and attended * 2 > entitled
