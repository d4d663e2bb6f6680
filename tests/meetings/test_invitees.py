"""Invitees of a meeting (meetings.selectors.invitees): the invited branches' members, and holders of an
activity card in force on the meeting's day at an invited host branch."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Attendance
from meetings.selectors import attendance_counts, invitees
from members.activity_cards import activity_card_end, activity_card_issue
from tests import factories
from tests.meetings.scheduling import schedule


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def guest(world):
    """王五 of the other branch holds a card for the branch for 30 days from 5 days ago."""
    return activity_card_issue(
        member=world.other_member.member, actor=world.other_secretary, host_organization=world.branch,
        starts_on=today() - datetime.timedelta(days=5), ends_on=today() + datetime.timedelta(days=30),
        reason="在厦门短期工作",
    )


def test_a_card_holder_is_invited_to_the_host_branchs_meeting(world, guest):
    meeting = schedule(world)

    invited = list(invitees(meeting))
    assert world.other_member.member in invited and world.member.member in invited
    assert world.other_secretary.member not in invited  # only the holder, not their whole branch
    assert Attendance.objects.filter(meeting=meeting, member=world.other_member.member).exists()


def test_the_holder_stays_invited_by_the_home_branch(world, guest):
    meeting = schedule(world, organization=world.other_branch, actor=world.other_secretary)

    assert world.other_member.member in invitees(meeting)


def test_a_holder_is_invited_once_when_both_branches_are(world, guest):
    meeting = schedule(world, invited_organizations=[world.other_branch])

    pks = list(invitees(meeting).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) == 4
    assert Attendance.objects.filter(meeting=meeting, member=world.other_member.member).count() == 1


def test_not_after_the_card_ends(world, guest):
    after = schedule(world, starts_in=datetime.timedelta(days=31))
    assert world.other_member.member not in invitees(after)

    activity_card_end(card=guest, actor=world.other_secretary, ended_on=today())
    tomorrow = schedule(world, starts_in=datetime.timedelta(days=1))
    assert world.other_member.member not in invitees(tomorrow)


def test_not_before_the_card_starts_nor_at_another_host(world):
    someone = world.other_member.member
    third = factories.organization(parent=world.general_branch, name="广州第一支部")
    activity_card_issue(
        member=someone, actor=world.other_secretary, host_organization=third,
        starts_on=today() + datetime.timedelta(days=10), ends_on=today() + datetime.timedelta(days=40),
        reason="在广州短期工作",
    )

    assert someone not in invitees(schedule(world, starts_in=datetime.timedelta(days=20)))
    assert someone not in invitees(schedule(world, organization=third, actor=world.county_officer))
    assert someone in invitees(schedule(world, organization=third, actor=world.county_officer,
                                        starts_in=datetime.timedelta(days=12)))


def test_a_guest_attends_but_does_not_count_for_the_quorum(world, guest):
    meeting = schedule(world)
    Attendance.objects.filter(meeting=meeting, member=world.other_member.member).update(
        checked_in_at=timezone.now()
    )

    counts = attendance_counts(meeting)
    assert (counts["entitled"], counts["attended"], counts["guests"]) == (2, 0, 1)
    assert not counts["quorate"]

    mine = Attendance.objects.filter(meeting=meeting, member=world.member.member)
    mine.update(checked_in_at=timezone.now())
    assert attendance_counts(meeting)["attended"] == 1
