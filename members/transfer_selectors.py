"""Reads for the officers' transfer pages: the inbox, the county overview and a member's history.

Each queryset carries its `select_related` / `prefetch_related`, so a page's query count does not
grow with the number of transfers, letters or cards it shows.
"""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from branches.models import Organization

from .activity_cards import cards_active
from .models import ActivityCard, IntroductionLetter, Member, MembershipPeriod, Position, Transfer
from .scope import Scope
from .transfers import RECEIVER_DAYS, RECEIVING_KINDS

Status = Transfer.Status
LetterStatus = IntroductionLetter.Status
#: a request the sending branch has not answered within a week is overdue
REQUEST_DAYS = 7
#: DOMAIN.md: a university may hold a graduate's membership for at most 2 years
UNIVERSITY_YEARS = 2


def _paths_q(paths: list[str] | None, prefix: str = "") -> Q:
    """Organizations under any of `paths` (None: every organization)."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


# Overdue transfers


def overdue_q(today: datetime.date) -> Q:
    """Open transfers that are late: a letter waiting for the receiver more than `RECEIVER_DAYS` days,
    an expired letter not yet reissued, or a request unanswered for more than `REQUEST_DAYS` days."""
    late_letter = IntroductionLetter.objects.filter(
        transfer=OuterRef("pk"),
        status=LetterStatus.VALID,
        issued_on__lt=today - datetime.timedelta(days=RECEIVER_DAYS),
    )
    request_start = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=REQUEST_DAYS), datetime.time.min)
    )
    return (
        Q(Exists(late_letter), status=Status.IN_TRANSIT)
        | Q(status=Status.EXPIRED)
        | Q(status=Status.REQUESTED, requested_at__lt=request_start)
    )


def _with_overdue(transfers: QuerySet[Transfer], today: datetime.date) -> QuerySet[Transfer]:
    return transfers.annotate(
        overdue=Case(
            When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def _letters_prefetch() -> Prefetch:
    return Prefetch(
        "letters",
        queryset=IntroductionLetter.objects.select_related("organization").order_by("-issued_at", "-pk"),
        to_attr="letters_newest",
    )


def transfer_rows(transfers, today: datetime.date) -> list[Transfer]:
    """Transfers with `letter` (the valid letter, else the newest) and `waiting_days` (since the valid
    letter was issued; for a request or an expired letter, since the request or the letter's end)."""
    rows = list(transfers)
    for transfer in rows:
        letters = getattr(transfer, "letters_newest", [])
        valid = next((letter for letter in letters if letter.status == LetterStatus.VALID), None)
        transfer.letter = valid or (letters[0] if letters else None)
        if valid is not None:
            since = valid.issued_on
        elif transfer.status == Status.EXPIRED and transfer.letter is not None:
            since = transfer.letter.valid_until
        else:
            since = timezone.localdate(transfer.requested_at)
        transfer.waiting_days = (today - since).days if transfer.is_open else None
    return rows


def _inbox_base(today: datetime.date) -> QuerySet[Transfer]:
    return (
        _with_overdue(Transfer.objects.all(), today)
        .select_related("member", "from_organization", "to_organization")
        .prefetch_related(_letters_prefetch())
        .order_by("-overdue", "requested_at", "pk")
    )


def inbox_incoming(scope: Scope, today: datetime.date) -> QuerySet[Transfer]:
    """Letters on their way to the user's organizations, overdue first, then oldest first."""
    return _inbox_base(today).filter(
        status=Status.IN_TRANSIT, to_organization__in=scope.roster_organizations()
    )


def inbox_outgoing(scope: Scope, today: datetime.date) -> QuerySet[Transfer]:
    """Open transfers out of the user's organizations (they stay responsible until completion)."""
    return _inbox_base(today).filter(
        status__in=Transfer.OPEN, from_organization__in=scope.roster_organizations()
    )


def _cards(today: datetime.date) -> QuerySet[ActivityCard]:
    return cards_active(today).select_related("member", "organization", "host_organization").order_by(
        "ends_on", "pk"
    )


def cards_hosted(scope: Scope, today: datetime.date) -> QuerySet[ActivityCard]:
    """Activity-card guests: cards in force whose host is one of the user's organizations."""
    return _cards(today).filter(host_organization__in=scope.roster_organizations())


def cards_issued(scope: Scope, today: datetime.date) -> QuerySet[ActivityCard]:
    """Cards in force issued by the user's organizations to their members."""
    return _cards(today).filter(organization__in=scope.roster_organizations())


def incoming_branches(scope: Scope) -> QuerySet[Organization]:
    """Branches where the user may record a letter received from outside the portal."""
    return scope.managed_organizations().filter(kind__in=RECEIVING_KINDS).order_by("path")


# The county overview


def overseen_paths(scope: Scope) -> list[str] | None:
    """The subtrees an overseer watches (None for a superuser: all of them)."""
    if scope.is_superuser:
        return None
    return sorted({p.organization.path for p in scope.positions if p.kind in Position.OVERSIGHT_KINDS})


def overview_totals(paths: list[str] | None, year: int, today: datetime.date) -> dict:
    """In one query: completed in (from outside the subtree or the portal), completed out (to outside
    it), open now, and overdue now."""
    inside_to = _paths_q(paths, "to_organization__")
    inside_from = _paths_q(paths, "from_organization__")
    done = Q(status=Status.COMPLETED, completed_on__year=year)
    transfers = Transfer.objects.filter(inside_to | inside_from)
    if paths is None:  # the whole portal: "outside" is outside the portal
        completed_in = done & Q(from_organization__isnull=True)
        completed_out = done & Q(to_organization__isnull=True)
    else:
        completed_in = done & inside_to & ~Q(Q(from_organization__isnull=False) & inside_from)
        completed_out = done & inside_from & ~Q(Q(to_organization__isnull=False) & inside_to)
    return transfers.aggregate(
        completed_in=Count("pk", filter=completed_in),
        completed_out=Count("pk", filter=completed_out),
        pending=Count("pk", filter=Q(status__in=Transfer.OPEN)),
        overdue=Count("pk", filter=Q(status__in=Transfer.OPEN) & overdue_q(today)),
    )


def _count(transfers: QuerySet[Transfer], key: str) -> Coalesce:
    counted = transfers.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def overview_branches(paths: list[str] | None, year: int, today: datetime.date) -> QuerySet[Organization]:
    """Each branch of the subtree with `completed_in`, `completed_out`, `pending`, `overdue`: one query."""
    done = Transfer.objects.filter(status=Status.COMPLETED, completed_on__year=year)
    open_ = _with_overdue(Transfer.objects.filter(status__in=Transfer.OPEN), today)
    org = OuterRef("pk")
    return (
        Organization.objects.filter(_paths_q(paths), kind__in=RECEIVING_KINDS)
        .annotate(
            completed_in=_count(done.filter(to_organization=org), "to_organization"),
            completed_out=_count(done.filter(from_organization=org), "from_organization"),
            pending=_count(open_.filter(from_organization=org), "from_organization"),
            pending_in=_count(open_.filter(to_organization=org), "to_organization"),
            overdue=_count(open_.filter(from_organization=org, overdue=True), "from_organization"),
        )
        .order_by("path")
    )


def university_cutoff(today: datetime.date) -> datetime.date:
    """The day `UNIVERSITY_YEARS` years before `today` (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - UNIVERSITY_YEARS)
    except ValueError:
        return today.replace(year=today.year - UNIVERSITY_YEARS, day=28)


def university_overstays(members: QuerySet[Member], today: datetime.date) -> QuerySet[Member]:
    """Memberships held by a university for more than 2 years (DOMAIN.md: a university may hold a
    graduate's membership for at most 2 years).

    The member's organization is a university Party organization, and either they graduated (taken
    as 1 July of `graduation_year`) more than 2 years before `today`, or, with no graduation year,
    they have belonged to it (`member_since`) for more than 2 years. Exactly 2 years is not flagged.
    """
    cutoff = university_cutoff(today)
    # 1 July of the graduation year is before the cutoff
    last_year = cutoff.year if cutoff > datetime.date(cutoff.year, 7, 1) else cutoff.year - 1
    return members.filter(organization__kind=Organization.Kind.UNIVERSITY).filter(
        Q(graduation_year__lte=last_year) | Q(graduation_year__isnull=True, member_since__lt=cutoff)
    )


def university_flags(paths: list[str] | None, today: datetime.date) -> QuerySet[Member]:
    members = Member.objects.filter(_paths_q(paths, "organization__")).select_related("organization")
    return university_overstays(members, today).order_by("organization__path", "name", "pk")


# A member's history


def member_history_member(scope: Scope, pk) -> Member | None:
    """A member on a roster the user reads; or one who left the portal, if the user sees one of their
    transfers (the sending branch keeps their history)."""
    related = ("organization", "work_place")
    member = scope.members().select_related(*related).filter(pk=pk).first()
    if member is None and (scope.is_superuser or scope.roster_paths):
        member = (
            Member.records.select_related(*related)
            .filter(pk=pk, left_on__isnull=False)
            .filter(Exists(scope.transfers().filter(member=OuterRef("pk"))))
            .first()
        )
    return member


def member_periods(member: Member) -> QuerySet[MembershipPeriod]:
    return member.membership_periods.select_related("organization", "transfer").order_by("ended_on", "pk")


def member_transfers(scope: Scope, member: Member) -> QuerySet[Transfer]:
    """Every transfer of the member, newest first; `visible` tells whether the user may open it."""
    return (
        Transfer.objects.filter(member=member)
        .select_related("from_organization", "to_organization")
        .prefetch_related(_letters_prefetch())
        .annotate(visible=Exists(scope.transfers().filter(pk=OuterRef("pk"))))
        .order_by("-requested_at", "-pk")
    )


def member_cards(member: Member) -> QuerySet[ActivityCard]:
    return member.activity_cards.select_related("organization", "host_organization").order_by(
        "-starts_on", "-pk"
    )
