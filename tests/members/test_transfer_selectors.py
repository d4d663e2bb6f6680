"""Reads for the officers' transfer pages (members/transfer_selectors.py): overdue, the inbox's
sections, the overview's counts, and the rule on memberships a university holds too long."""

import datetime

import pytest
from django.utils import timezone

from branches.models import Organization
from members import transfer_selectors as selectors
from members.models import IntroductionLetter, Member, Transfer
from members.scope import Scope
from members.transfers import (
    RECEIVER_DAYS,
    transfer_accept,
    transfer_approve,
    transfer_register_incoming,
    transfer_request,
)
from tests import factories

Status = Transfer.Status
TODAY = datetime.date(2026, 11, 26)


def ask(world, member=None, *, to=None) -> Transfer:
    member = member or factories.member(organization=world.branch)
    return transfer_request(
        member=member, actor=world.secretary, reason="工作调动", to_organization=to or world.other_branch
    )


def approve(world, transfer, *, issued_days_ago=0) -> IntroductionLetter:
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    if issued_days_ago:
        issued = timezone.localdate() - datetime.timedelta(days=issued_days_ago)
        IntroductionLetter.objects.filter(pk=letter.pk).update(issued_on=issued)
    return letter


def requested_days_ago(transfer, days):
    earlier = timezone.now() - datetime.timedelta(days=days)
    Transfer.objects.filter(pk=transfer.pk).update(requested_at=earlier)


def overdue_pks(today=None):
    today = today or timezone.localdate()
    return set(Transfer.objects.filter(selectors.overdue_q(today)).values_list("pk", flat=True))


# Overdue


def test_a_letter_is_overdue_after_the_receivers_month(world):
    on_time = ask(world)
    approve(world, on_time, issued_days_ago=RECEIVER_DAYS)
    late = ask(world)
    approve(world, late, issued_days_ago=RECEIVER_DAYS + 1)
    assert overdue_pks() == {late.pk}


def test_a_request_is_overdue_after_a_week_and_an_expired_letter_at_once(world):
    fresh, old, expired = ask(world), ask(world), ask(world)
    requested_days_ago(fresh, 6)
    requested_days_ago(old, 8)
    approve(world, expired)
    Transfer.objects.filter(pk=expired.pk).update(status=Status.EXPIRED)
    assert overdue_pks() == {old.pk, expired.pk}


def test_inbox_sections_put_overdue_first_then_oldest(world):
    scope = Scope(world.secretary)
    today = timezone.localdate()
    newer, older, late = ask(world), ask(world), ask(world)
    requested_days_ago(newer, 1)
    requested_days_ago(older, 3)
    requested_days_ago(late, 2)
    for transfer in (newer, older):
        approve(world, transfer)
    approve(world, late, issued_days_ago=RECEIVER_DAYS + 5)
    assert [t.pk for t in selectors.inbox_outgoing(scope, today)] == [late.pk, older.pk, newer.pk]
    incoming = selectors.inbox_incoming(Scope(world.other_secretary), today)
    assert [t.pk for t in incoming] == [late.pk, older.pk, newer.pk]
    assert not selectors.inbox_incoming(scope, today).exists()
    assert not selectors.inbox_outgoing(Scope(world.other_secretary), today).exists()


def test_transfer_rows_show_the_valid_letter_and_days_waiting(world):
    transfer = ask(world)
    letter = approve(world, transfer, issued_days_ago=12)
    [row] = selectors.transfer_rows(selectors.inbox_outgoing(Scope(world.secretary), timezone.localdate()),
                                    timezone.localdate())
    assert row.letter.pk == letter.pk
    assert row.waiting_days == 12
    assert row.overdue is False


# The overview


def test_overview_counts_in_and_out_of_the_subtree(world):
    year = timezone.localdate().year
    # inside the subtree: neither in nor out for the county
    inside = ask(world)
    approve(world, inside)
    transfer_accept(transfer=inside, actor=world.other_secretary)
    # from outside the portal: in
    transfer_register_incoming(
        actor=world.secretary, organization=world.branch, from_outside="中共厦门市委组织部",
        letter_number="X-1",
        received_on=timezone.localdate(), id_number=factories.id_number(7001), name="新来", phone="",
        ethnicity="汉族", status=Member.Status.PROBATIONARY, joined_party_on=datetime.date(2025, 7, 1),
    )
    # to another county in the portal: out
    elsewhere = factories.organization(
        parent=factories.organization(parent=world.city, kind=Organization.Kind.COUNTY_COMMITTEE),
        name="外县支部",
    )
    out = ask(world, to=elsewhere)
    approve(world, out)
    outsider = factories.user()
    factories.position(user=outsider, organization=elsewhere)
    transfer_accept(transfer=out, actor=outsider)
    ask(world)  # open
    totals = selectors.overview_totals(selectors.overseen_paths(Scope(world.county_officer)), year,
                                       timezone.localdate())
    assert totals == {"completed_in": 1, "completed_out": 1, "pending": 1, "overdue": 0}
    last_year = selectors.overview_totals([world.county.path], year - 1, timezone.localdate())
    assert last_year["completed_in"] == last_year["completed_out"] == 0
    branches = {b.pk: b for b in selectors.overview_branches([world.county.path], year, timezone.localdate())}
    assert branches[world.branch.pk].completed_in == 1  # from outside the portal
    assert branches[world.branch.pk].completed_out == 2
    assert branches[world.branch.pk].pending == 1
    assert branches[world.other_branch.pk].completed_in == 1
    assert elsewhere.pk not in branches


# The university rule


@pytest.fixture
def university(world):
    return factories.organization(
        parent=world.general_branch, kind=Organization.Kind.UNIVERSITY, name="某大学党委"
    )


def flagged(today, **fields) -> bool:
    return selectors.university_overstays(Member.objects.filter(**fields), today).exists()


@pytest.mark.parametrize(
    ("graduation_year", "today", "expected"),
    [
        (2024, datetime.date(2026, 7, 1), False),  # exactly 2 years after 1 July
        (2024, datetime.date(2026, 7, 2), True),  # one day more
        (2024, datetime.date(2026, 6, 30), False),
        (2023, datetime.date(2026, 1, 1), True),
        (2025, TODAY, False),
    ],
)
def test_university_flag_counts_from_1_july_of_the_graduation_year(
    university, graduation_year, today, expected
):
    member = factories.member(organization=university, graduation_year=graduation_year,
                              member_since=datetime.date(2026, 1, 1))
    assert flagged(today, pk=member.pk) is expected


@pytest.mark.parametrize(
    ("member_since", "expected"),
    [(datetime.date(2024, 11, 26), False), (datetime.date(2024, 11, 25), True)],
)
def test_university_flag_without_graduation_year_counts_from_joining(university, member_since, expected):
    member = factories.member(organization=university, member_since=member_since)
    assert flagged(TODAY, pk=member.pk) is expected


def test_university_flag_is_only_for_universities(world):
    member = factories.member(organization=world.branch, graduation_year=2010)
    assert not flagged(TODAY, pk=member.pk)
