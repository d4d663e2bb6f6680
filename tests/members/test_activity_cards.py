"""Activity cards (members/activity_cards.py): the home branch issues them for up to 6 months at a host
branch, ends them on return; they end by themselves after their end date."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from members.activity_cards import (
    activity_card_end,
    activity_card_issue,
    activity_cards_expire,
    cards_active,
)
from members.models import ActivityCard
from members.notifications.models import Notification

d = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def issue(world, member=None, *, actor=None, **fields):
    values = {
        "host_organization": world.other_branch, "starts_on": d(2026, 3, 1), "ends_on": d(2026, 8, 31),
        "reason": "在深圳短期务工",
    }
    values.update(fields)
    return activity_card_issue(member=member or world.member.member, actor=actor or world.secretary, **values)


def guest_card(world):
    """王五 of the other branch, at the branch."""
    return issue(
        world, world.other_member.member, actor=world.other_secretary, host_organization=world.branch
    )


def test_the_home_branch_issues_a_card_and_both_are_told(world):
    card = issue(world)

    assert (card.organization, card.host_organization) == (world.branch, world.other_branch)
    assert (card.starts_on, card.ends_on, card.ended_on, card.issued_by) == (
        d(2026, 3, 1), d(2026, 8, 31), None, world.secretary
    )
    mine = Notification.objects.get(recipient=world.member, kind="activity_card")
    assert mine.title == "You have an activity card" and "深圳第一支部" in mine.body
    host = Notification.objects.get(recipient=world.other_secretary, kind="activity_card")
    assert host.title == "张三 will attend your branch with an activity card" and "厦门第一支部" in host.body
    assert card.member.organization == world.branch  # the holder stays on the home roster


@pytest.mark.parametrize("persona", ["other_secretary", "liaison", "member", "other_member"])
def test_only_the_home_branchs_managers_issue(world, persona):
    with pytest.raises(ValidationError, match="home branch"):
        issue(world, actor=world.personas[persona])
    assert not ActivityCard.objects.exists()


def test_a_secretary_cannot_issue_their_own_card(world):
    with pytest.raises(ValidationError, match="home branch"):
        issue(world, world.secretary.member)
    issue(world, world.secretary.member, actor=world.county_officer)


def test_the_host_is_another_branch(world):
    for host in (world.branch, world.general_branch):
        with pytest.raises(ValidationError) as error:
            issue(world, host_organization=host)
        assert "host_organization" in error.value.message_dict


def test_at_most_six_months_and_not_backwards(world):
    with pytest.raises(ValidationError) as error:
        issue(world, ends_on=d(2026, 9, 2))
    assert "at most 6 months" in error.value.message_dict["ends_on"][0]
    with pytest.raises(ValidationError) as error:
        issue(world, ends_on=d(2026, 2, 28))
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        issue(world, reason="  ")
    assert "reason" in error.value.message_dict
    assert issue(world, ends_on=d(2026, 9, 1)).ends_on == d(2026, 9, 1)  # exactly six months


def test_one_open_card_at_a_time(world):
    card = issue(world)
    with pytest.raises(ValidationError, match="already holds"):
        issue(world)

    activity_card_end(card=card, actor=world.secretary, ended_on=d(2026, 4, 10))
    assert issue(world, starts_on=d(2026, 5, 1), ends_on=d(2026, 6, 30)).pk != card.pk


def test_the_home_branch_ends_a_card_on_return(world):
    card = issue(world)
    with pytest.raises(ValidationError, match="home branch"):
        activity_card_end(card=card, actor=world.other_secretary)

    activity_card_end(card=card, actor=world.secretary, ended_on=d(2026, 5, 20))

    card.refresh_from_db()
    assert card.ended_on == d(2026, 5, 20) and card.end_reason == ActivityCard.EndReason.RETURNED
    with pytest.raises(ValidationError, match="already ended"):
        activity_card_end(card=card, actor=world.secretary)


def test_an_end_date_is_kept_within_the_card(world):
    late = issue(world)
    activity_card_end(card=late, actor=world.secretary, ended_on=d(2027, 1, 1))
    late.refresh_from_db()
    assert late.ended_on == d(2026, 8, 31)

    early = guest_card(world)
    activity_card_end(card=early, actor=world.other_secretary, ended_on=d(2026, 1, 1))
    early.refresh_from_db()
    assert early.ended_on == d(2026, 3, 1)


def test_without_a_date_the_card_ends_today(world):
    today = timezone.localdate()
    days = datetime.timedelta(days=3)
    card = issue(world, starts_on=today - days, ends_on=today + days)

    activity_card_end(card=card, actor=world.secretary)

    card.refresh_from_db()
    assert card.ended_on == today


def test_cards_past_their_end_date_expire_once(world):
    card = issue(world)

    assert activity_cards_expire(today=d(2026, 8, 31)) == 0
    assert activity_cards_expire(today=d(2026, 9, 1)) == 1
    assert activity_cards_expire(today=d(2026, 9, 2)) == 0

    card.refresh_from_db()
    assert card.ended_on == d(2026, 8, 31) and card.end_reason == ActivityCard.EndReason.EXPIRED


def test_cards_in_force_on_a_day(world):
    card = issue(world)
    returned = guest_card(world)
    activity_card_end(card=returned, actor=world.other_secretary, ended_on=d(2026, 4, 30))

    def active(day):
        return set(cards_active(day).values_list("pk", flat=True))

    assert active(d(2026, 2, 28)) == set()
    assert active(d(2026, 3, 1)) == {card.pk, returned.pk}
    assert active(d(2026, 4, 30)) == {card.pk, returned.pk}  # the day of return still counts
    assert active(d(2026, 5, 1)) == {card.pk}
    assert active(d(2026, 8, 31)) == {card.pk}
    assert active(d(2026, 9, 1)) == set()
