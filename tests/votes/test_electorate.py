"""Who votes (DOMAIN.md): full members of the ballot's own organization, frozen when it opens.

Probationary members, members of other branches, guests on an activity card and members who left
do not; the roster's changes after opening do not reach the electorate."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from members.activity_cards import activity_card_issue
from members.models import Member
from tests.votes.test_services import DATA, cast_papers, create, full_member, opened
from votes import services
from votes.electorate import electorate, eligible_members, is_elector
from votes.models import Elector, VoteRecord


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the site's default language is Chinese."""
    with translation.override("en"):
        yield


def test_before_opening_the_electorate_is_the_live_roster(world):
    draft = create(world)
    full_member(world.branch, status=Member.Status.PROBATIONARY)
    full = {world.member.member, world.secretary.member}
    assert set(eligible_members(draft)) == set(electorate(draft)) == full
    joining = full_member(world.branch)
    assert is_elector(draft, joining) and joining in electorate(draft)


def test_a_full_member_of_the_organization_is_on_the_electorate(world):
    draft = create(world)
    assert is_elector(draft, world.member.member)
    ballot = services.ballot_open(ballot=draft, actor=world.secretary)
    assert is_elector(ballot, world.member.member)
    assert services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))


def test_a_probationary_member_is_not(world):
    probationary = full_member(world.branch, status=Member.Status.PROBATIONARY)
    draft = create(world)
    assert not is_elector(draft, probationary)
    assert probationary not in electorate(draft)
    ballot = services.ballot_open(ballot=draft, actor=world.secretary)
    assert not is_elector(ballot, probationary)
    with pytest.raises(ValidationError, match="electorate"):
        services.ballot_cast(ballot=ballot, member=probationary, data=DATA(ballot))
    assert not VoteRecord.objects.exists() and not cast_papers(ballot).exists()


def test_a_member_of_another_branch_is_not(world):
    ballot = opened(world)
    outsider = world.other_member.member
    assert not is_elector(ballot, outsider) and not is_elector(ballot, None)
    with pytest.raises(ValidationError, match="electorate"):
        services.ballot_cast(ballot=ballot, member=outsider, data=DATA(ballot))
    assert not VoteRecord.objects.exists() and not cast_papers(ballot).exists()


def test_an_activity_card_guest_votes_at_home_not_at_the_host_branch(world):
    guest = world.other_member.member
    today = timezone.localdate()
    activity_card_issue(member=guest, actor=world.other_secretary, host_organization=world.branch,
                        starts_on=today, ends_on=today + datetime.timedelta(days=90), reason="在厦门务工")
    at_host = create(world)
    assert not is_elector(at_host, guest)
    at_host = services.ballot_open(ballot=at_host, actor=world.secretary)
    assert not Elector.objects.filter(ballot=at_host, member=guest).exists()
    with pytest.raises(ValidationError, match="electorate"):
        services.ballot_cast(ballot=at_host, member=guest, data=DATA(at_host))
    at_home = create(world, organization=world.other_branch, actor=world.other_secretary)
    at_home = services.ballot_open(ballot=at_home, actor=world.other_secretary)
    assert is_elector(at_home, guest)


def test_a_member_who_transferred_out_is_not_on_a_new_electorate(world):
    gone = full_member(world.branch)
    Member.objects.filter(pk=gone.pk).update(left_on=timezone.localdate())  # left the portal
    moved = full_member(world.branch)
    Member.objects.filter(pk=moved.pk).update(organization=world.other_branch)  # moved inside it
    ballot = opened(world)
    members = set(Elector.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    assert members == {world.member.member.pk, world.secretary.member.pk}
    assert not is_elector(ballot, gone) and not is_elector(ballot, moved)
    other = services.ballot_open(
        ballot=create(world, organization=world.other_branch, actor=world.other_secretary),
        actor=world.other_secretary,
    )
    assert is_elector(other, moved) and not is_elector(other, gone)


def test_the_electorate_does_not_follow_the_roster_after_opening(world):
    leaving = full_member(world.branch)
    probationary = full_member(world.branch, status=Member.Status.PROBATIONARY)
    ballot = opened(world)
    joining = full_member(world.branch)
    Member.objects.filter(pk=probationary.pk).update(status=Member.Status.FULL,
                                                     full_member_on=datetime.date(2026, 1, 1))
    Member.objects.filter(pk=leaving.pk).update(left_on=timezone.localdate())  # transferred out

    assert set(electorate(ballot)) == {world.member.member, world.secretary.member, leaving}
    assert not is_elector(ballot, joining) and not is_elector(ballot, probationary)
    for latecomer in (joining, probationary):
        with pytest.raises(ValidationError, match="electorate"):
            services.ballot_cast(ballot=ballot, member=latecomer, data=DATA(ballot))
    assert is_elector(ballot, leaving)
    services.ballot_cast(ballot=ballot, member=Member.records.get(pk=leaving.pk), data=DATA(ballot))
    assert VoteRecord.objects.filter(ballot=ballot).count() == cast_papers(ballot).count() == 1
