"""Who may vote (DOMAIN.md): full members in good standing of the ballot's own organization.

Probationary members do not vote, and neither do guests attending on an activity card: their
membership stays with their home branch, so they are not members of the host's organization. The
electorate is frozen into `Elector` rows when the ballot opens; before that it is computed live.
"""

from django.db.models import QuerySet

from members.models import Member

from .models import Ballot, Elector


def eligible_members(ballot: Ballot) -> QuerySet[Member]:
    return Member.objects.filter(organization=ballot.organization_id, status=Member.Status.FULL)


def electorate(ballot: Ballot) -> QuerySet[Member]:
    """The frozen electorate once the ballot is open; the members who would be on it before."""
    if ballot.status == Ballot.Status.DRAFT:
        return eligible_members(ballot)
    return Member.records.filter(pk__in=Elector.objects.filter(ballot=ballot).values("member_id"))


def is_elector(ballot: Ballot, member: Member | None) -> bool:
    if member is None:
        return False
    if ballot.status == Ballot.Status.DRAFT:
        return eligible_members(ballot).filter(pk=member.pk).exists()
    return Elector.objects.filter(ballot=ballot, member=member).exists()
