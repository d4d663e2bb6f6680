"""Reads of ballots, always through the scope.

A ballot is seen by the members of its organization (probationary members included: they see it and
are told they do not vote), by guests attending there on an activity card in force (likewise), and by
officers who read the organization's roster (managers, liaison officers, overseers). Drafts are seen by
the organization's managers only. Anyone else gets a 404.
"""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from members.activity_cards import cards_active
from members.models import Member
from members.scope import Scope

from .models import Ballot, Elector, VoteRecord

Status = Ballot.Status


def guest_hosts(member: Member | None):
    """The organizations hosting the member on an activity card in force today (a subquery)."""
    return cards_active(timezone.localdate()).filter(member=member).values("host_organization_id")


def ballots_visible(scope: Scope) -> QuerySet[Ballot]:
    if scope.is_superuser:
        return Ballot.objects.all()
    if not scope.is_authenticated:
        return Ballot.objects.none()
    q = Q(organization__in=scope.roster_organizations())
    if scope.member is not None:
        q |= Q(organization_id=scope.member.organization_id)
        q |= Q(organization__in=guest_hosts(scope.member))
    hidden_drafts = Q(status=Status.DRAFT) & ~Q(organization__in=scope.managed_organizations())
    return Ballot.objects.filter(q).exclude(hidden_drafts)


def ballot_or_404(scope: Scope, pk) -> Ballot:
    ballot = ballots_visible(scope).select_related("organization").filter(pk=pk).first()
    if ballot is None:
        raise Http404
    return ballot


def ballot_to_manage_or_404(scope: Scope, pk) -> Ballot:
    """A ballot the user manages (create, edit, open, close, publish); 404 for everyone else."""
    ballot = ballot_or_404(scope, pk)
    if not scope.can_manage(ballot.organization):
        raise Http404
    return ballot


def ballots_for_list(scope: Scope) -> QuerySet[Ballot]:
    """Open ballots first (closing soonest first), then drafts, then the rest, latest first. Each with
    `mine_voted` and `mine_elector`: whether the user voted and is on the frozen electorate."""
    member = scope.member
    if member is not None:
        voted = Exists(VoteRecord.objects.filter(ballot=OuterRef("pk"), member=member))
        elector = Exists(Elector.objects.filter(ballot=OuterRef("pk"), member=member))
    else:
        voted = elector = Value(False)
    rank = Case(
        When(status=Status.OPEN, then=Value(0)),
        When(status=Status.DRAFT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        ballots_visible(scope)
        .select_related("organization")
        .annotate(rank=rank, mine_voted=voted, mine_elector=elector)
        .order_by("rank", "-opens_at", "-pk")
    )


def turnout(ballot: Ballot) -> int | None:
    """How many took part so far: who-voted rows, never which paper. None before opening."""
    if ballot.status == Status.DRAFT:
        return None
    if ballot.participants is not None:
        return ballot.participants
    return VoteRecord.objects.filter(ballot=ballot).count()
