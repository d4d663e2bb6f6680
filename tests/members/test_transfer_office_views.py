"""The officers' transfer pages: inbox, county overview, a member's transfer history, a letter received
from outside the portal, and activity cards."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization
from ebranch.lib.months import months_later
from members.activity_cards import activity_card_issue
from members.models import ActivityCard, IntroductionLetter, Member, MembershipPeriod, Transfer
from members.transfers import (
    RECEIVER_DAYS,
    transfer_approve,
    transfer_receipt_record,
    transfer_request,
)
from tests import factories

Status = Transfer.Status
INBOX = reverse("transfers:inbox")
OVERVIEW = reverse("transfers:overview")
OUTSIDE = "中共厦门市思明区委组织部"


def history_url(member):
    return reverse("transfers:member_history", args=[member.pk])


def detail_url(transfer):
    return reverse("transfers:detail", args=[transfer.pk])


def incoming_url(org):
    return reverse("transfers:register_incoming", args=[org.pk])


def card_url(member):
    return reverse("transfers:card_issue", args=[member.pk])


def ask(world, member=None, *, to=None, name=None) -> Transfer:
    member = member or factories.member(organization=world.branch, name=name)
    return transfer_request(
        member=member, actor=world.secretary, reason="工作调动", to_organization=to or world.other_branch
    )


def in_transit(world, member=None, *, name=None, issued_days_ago=0) -> Transfer:
    transfer = ask(world, member, name=name)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    if issued_days_ago:
        IntroductionLetter.objects.filter(pk=letter.pk).update(
            issued_on=timezone.localdate() - datetime.timedelta(days=issued_days_ago)
        )
    transfer.refresh_from_db()
    return transfer


def card(world, member, *, host=None) -> ActivityCard:
    today = timezone.localdate()
    return activity_card_issue(
        member=member, actor=world.secretary, host_organization=host or world.other_branch,
        starts_on=today, ends_on=months_later(today, 3), reason="在深圳打工三个月",
    )


# The inbox


def test_inbox_lists_outgoing_for_the_sender_and_incoming_for_the_receiver(en, world):
    transfer = in_transit(world, name="出行人")
    en.force_login(world.secretary)
    response = en.get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert detail_url(transfer) in html and "出行人" in html
    letter = transfer.letters.get()
    assert letter.serial in html
    assert incoming_url(world.branch) in html
    en.force_login(world.other_secretary)
    html = en.get(INBOX).content.decode()
    assert detail_url(transfer) in html
    assert incoming_url(world.other_branch) in html and incoming_url(world.branch) not in html


def test_other_secretary_does_not_see_this_branchs_transfers(en, world):
    transfer = ask(world, name="本支部")  # requested, to other_branch: not yet incoming there
    en.force_login(world.other_secretary)
    html = en.get(INBOX).content.decode()
    assert detail_url(transfer) not in html and "本支部" not in html


def test_liaison_sees_the_inbox_read_only(en, world):
    transfer = in_transit(world)
    en.force_login(world.liaison)
    response = en.get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert detail_url(transfer) in html
    assert "/transfers/incoming/" not in html


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_inbox_is_404_for_members(en, world, persona):
    en.force_login(getattr(world, persona))
    assert en.get(INBOX).status_code == 404


def test_inbox_puts_overdue_first_then_oldest(en, world):
    newer = in_transit(world, name="较新")
    older = in_transit(world, name="较早")
    late = in_transit(world, name="逾期", issued_days_ago=RECEIVER_DAYS + 1)
    Transfer.objects.filter(pk=newer.pk).update(requested_at=timezone.now() - datetime.timedelta(days=1))
    Transfer.objects.filter(pk=older.pk).update(requested_at=timezone.now() - datetime.timedelta(days=3))
    Transfer.objects.filter(pk=late.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    en.force_login(world.other_secretary)
    html = en.get(INBOX).content.decode()
    assert html.index(detail_url(late)) < html.index(detail_url(older)) < html.index(detail_url(newer))
    assert "overdue" in html


def test_inbox_shows_activity_card_guests_and_cards_issued(en, world):
    holder = factories.member(organization=world.branch, name="持证人")
    card(world, holder)
    en.force_login(world.other_secretary)
    html = en.get(INBOX).content.decode()
    assert "持证人" in html
    assert history_url(holder) not in html  # the host does not read the home roster
    en.force_login(world.secretary)
    assert history_url(holder) in en.get(INBOX).content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_inbox_query_count_is_fixed(en, world, django_assert_num_queries, count):
    for n in range(count):
        member = factories.member(organization=world.branch)
        in_transit(world, member)
        if n % 2:
            card(world, factories.member(organization=world.branch))
    en.force_login(world.secretary)
    # user (session is cached), positions, authenticator app (two-factor check); incoming transfers
    # (none here, so no letters prefetch), outgoing transfers (each with member and both organizations),
    # their letters (one prefetch), guests' cards, cards issued, branches for incoming letters;
    # the unread count (header), member (navigation)
    with django_assert_num_queries(11):
        response = en.get(INBOX)
    assert response.content.decode().count('href="/transfers/') >= count


# The overview


def test_overview_counts_for_the_county_officer(en, world):
    in_transit(world, issued_days_ago=RECEIVER_DAYS + 2)
    ask(world)
    en.force_login(world.county_officer)
    response = en.get(OVERVIEW, {"year": timezone.localdate().year})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["pending"] == 2 and totals["overdue"] == 1
    branches = {b.pk: b for b in response.context["branches"]}
    assert branches[world.branch.pk].pending == 2
    assert branches[world.branch.pk].overdue == 1
    assert branches[world.other_branch.pk].pending_in == 2


def test_overview_lists_only_branches_with_transfers(en, world):
    factories.organization(parent=world.general_branch, name="广州第一支部")
    ask(world)
    en.force_login(world.county_officer)
    response = en.get(OVERVIEW)
    assert {b.pk for b in response.context["branches"]} == {world.branch.pk, world.other_branch.pk}
    assert "1 other branch had no transfers." in response.content.decode()


@pytest.mark.parametrize("persona", ["secretary", "liaison", "member", "other_secretary"])
def test_overview_is_404_for_others(en, world, persona):
    en.force_login(getattr(world, persona))
    assert en.get(OVERVIEW).status_code == 404


def test_overview_lists_university_memberships_held_too_long(en, world):
    university = factories.organization(
        parent=world.general_branch, kind=Organization.Kind.UNIVERSITY, name="某大学党委"
    )
    year = timezone.localdate().year
    old = factories.member(organization=university, name="老毕业生", graduation_year=year - 3)
    factories.member(organization=university, name="应届生", graduation_year=year)
    en.force_login(world.county_officer)
    html = en.get(OVERVIEW).content.decode()
    assert "老毕业生" in html and history_url(old) in html
    assert "应届生" not in html


@pytest.mark.parametrize("count", [1, 10])
def test_overview_query_count_is_fixed(en, world, django_assert_num_queries, count):
    university = factories.organization(parent=world.general_branch, kind=Organization.Kind.UNIVERSITY)
    for n in range(count):
        in_transit(world)
        factories.member(organization=university, graduation_year=2000 + n)
    en.force_login(world.county_officer)
    # session, user, positions, authenticator app (two-factor check), member (navigation; none);
    # totals (one aggregate), branches with their counts (one query), flagged members with their
    # organization, the unread count (header)
    with django_assert_num_queries(8):
        response = en.get(OVERVIEW)
    assert len(response.context["flags"]) == count


# A member's history


def test_member_history_shows_periods_transfers_and_cards(en, world):
    member = world.member.member
    card(world, member)
    transfer = in_transit(world, member)
    en.force_login(world.secretary)
    response = en.get(history_url(member))
    html = response.content.decode()
    assert response.status_code == 200
    assert detail_url(transfer) in html
    assert world.other_branch.name in html
    assert reverse("transfers:card_end", args=[member.activity_cards.get().pk]) in html
    # a transfer is open and a card is held: neither button
    assert reverse("transfers:start", args=[member.pk]) not in html
    assert card_url(member) not in html


def test_member_history_offers_actions_to_managers_only(en, world):
    member = world.member.member
    en.force_login(world.secretary)
    html = en.get(history_url(member)).content.decode()
    assert reverse("transfers:start", args=[member.pk]) in html and card_url(member) in html
    en.force_login(world.liaison)
    response = en.get(history_url(member))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("transfers:start", args=[member.pk]) not in html and card_url(member) not in html


@pytest.mark.parametrize("persona", ["member", "other_member", "other_secretary"])
def test_member_history_is_404_for_outsiders(en, world, persona):
    en.force_login(getattr(world, persona))
    assert en.get(history_url(world.member.member)).status_code == 404


def test_member_history_of_a_member_who_left_the_portal(en, world):
    member = factories.member(organization=world.branch, name="离开者")
    transfer = transfer_request(
        member=member, actor=world.secretary, reason="回原籍", to_outside=OUTSIDE, to_outside_address="厦门"
    )
    transfer_approve(transfer=transfer, actor=world.secretary)
    transfer_receipt_record(transfer=transfer, actor=world.secretary, returned_on=timezone.localdate())
    en.force_login(world.secretary)
    response = en.get(history_url(member))
    html = response.content.decode()
    assert response.status_code == 200
    assert OUTSIDE in html and detail_url(transfer) in html
    assert reverse("transfers:start", args=[member.pk]) not in html
    en.force_login(world.other_secretary)
    assert en.get(history_url(member)).status_code == 404


def test_member_history_flags_a_university_membership(en, world):
    university = factories.organization(parent=world.general_branch, kind=Organization.Kind.UNIVERSITY)
    factories.position(user=world.liaison, organization=university, kind="liaison_officer")
    member = factories.member(organization=university, graduation_year=timezone.localdate().year - 3)
    en.force_login(world.liaison)
    assert "after graduation" in en.get(history_url(member)).content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_member_history_query_count_is_fixed(en, world, django_assert_num_queries, count):
    member = world.member.member
    for _n in range(count):
        transfer = ask(world, member)
        Transfer.objects.filter(pk=transfer.pk).update(status=Status.WITHDRAWN)
        MembershipPeriod.objects.create(
            member=member, organization=world.other_branch, ended_on=datetime.date(2019, 1, 1)
        )
    in_transit(world, member)
    en.force_login(world.secretary)
    # user (session is cached), positions, authenticator app (two-factor check); the member with their
    # organization, transfers with both organizations and visibility, their letters (one prefetch),
    # activity cards, periods with their organization, the university rule; the unread count (header),
    # member (navigation)
    with django_assert_num_queries(11):
        response = en.get(history_url(member))
    assert len(response.context["transfers"]) == count + 1


# A letter received from outside the portal


def incoming_data(**fields) -> dict:
    data = {
        "from_outside": OUTSIDE, "letter_number": "思组 2026-17",
        "received_on": timezone.localdate().isoformat(),
        "id_number": factories.id_number(8101), "name": "新党员", "phone": "", "ethnicity": "汉族",
        "status": "full", "joined_party_on": "2015-07-01", "full_member_on": "2016-07-01",
        "education": "bachelor", "university": "厦门大学", "graduation_year": "2014",
        "home_township": "", "work_place": "", "employer": "厦门某公司",
    }
    data.update(fields)
    return data


def test_register_incoming_creates_the_member_and_a_completed_transfer(en, world):
    en.force_login(world.secretary)
    assert en.get(incoming_url(world.branch)).status_code == 200
    response = en.post(incoming_url(world.branch), incoming_data())
    member = Member.objects.get(name="新党员")
    assert response.status_code == 302 and response["Location"] == history_url(member)
    assert member.organization == world.branch and member.employer == "厦门某公司"
    transfer = member.transfers.get()
    assert transfer.status == Status.COMPLETED and transfer.from_outside == OUTSIDE
    assert transfer.outside_letter_number == "思组 2026-17"
    period = member.membership_periods.get()
    assert period.outside_organization == OUTSIDE


def test_register_incoming_refuses_an_id_already_on_a_roster(en, world):
    en.force_login(world.secretary)
    taken = world.other_member.member
    response = en.post(incoming_url(world.branch), incoming_data(id_number=taken.id_number))
    assert response.status_code == 200
    assert "already on the roster" in response.content.decode()
    assert not Transfer.objects.exists()
    assert not Member.objects.filter(name="新党员").exists()


def test_register_incoming_checks_the_dates(en, world):
    en.force_login(world.secretary)
    response = en.post(incoming_url(world.branch), incoming_data(full_member_on=""))
    assert response.status_code == 200
    assert "A full member needs the date" in response.content.decode()
    assert not Member.objects.filter(name="新党员").exists()


@pytest.mark.parametrize("persona", ["other_secretary", "liaison", "member"])
def test_register_incoming_is_404_for_others(en, world, persona):
    en.force_login(getattr(world, persona))
    assert en.get(incoming_url(world.branch)).status_code == 404
    assert en.post(incoming_url(world.branch), incoming_data()).status_code == 404
    assert not Member.objects.filter(name="新党员").exists()


def test_register_incoming_is_404_for_a_general_branch(en, world):
    en.force_login(world.county_officer)
    assert en.get(incoming_url(world.general_branch)).status_code == 404


# Activity cards


def test_issue_an_activity_card(en, world):
    member = world.member.member
    en.force_login(world.secretary)
    response = en.get(card_url(member))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["form"]["ends_on"].value() == months_later(today, 6)
    response = en.post(card_url(member), {
        "host_organization": world.other_branch.pk, "starts_on": today.isoformat(),
        "ends_on": months_later(today, 6).isoformat(), "reason": "在深圳打工",
    })
    assert response.status_code == 302 and response["Location"] == history_url(member)
    issued = member.activity_cards.get()
    assert issued.host_organization == world.other_branch and issued.ended_on is None


def test_an_activity_card_lasts_at_most_6_months(en, world):
    member = world.member.member
    en.force_login(world.secretary)
    today = timezone.localdate()
    response = en.post(card_url(member), {
        "host_organization": world.other_branch.pk, "starts_on": today.isoformat(),
        "ends_on": (months_later(today, 6) + datetime.timedelta(days=1)).isoformat(), "reason": "在深圳打工",
    })
    assert response.status_code == 200
    assert "at most 6 months" in response.content.decode()
    assert not ActivityCard.objects.exists()


def test_the_home_branch_cannot_host(en, world):
    en.force_login(world.secretary)
    member = world.member.member
    response = en.post(card_url(member), {
        "host_organization": world.branch.pk, "starts_on": timezone.localdate().isoformat(),
        "ends_on": timezone.localdate().isoformat(), "reason": "x",
    })
    assert response.status_code == 200 and not ActivityCard.objects.exists()


@pytest.mark.parametrize("persona", ["other_secretary", "liaison", "member"])
def test_card_issue_is_404_for_others(en, world, persona):
    en.force_login(getattr(world, persona))
    assert en.get(card_url(world.member.member)).status_code == 404


def test_end_an_activity_card(en, world):
    member = world.member.member
    issued = card(world, member)
    end = reverse("transfers:card_end", args=[issued.pk])
    en.force_login(world.other_secretary)  # the host cannot end it
    assert en.post(end).status_code == 404
    en.force_login(world.secretary)
    assert en.get(end).status_code == 405
    response = en.post(end)
    assert response.status_code == 302 and response["Location"] == history_url(member)
    issued.refresh_from_db()
    assert issued.ended_on == timezone.localdate() and issued.end_reason == ActivityCard.EndReason.RETURNED
    response = en.post(end, follow=True)  # already ended: a message, nothing changes
    assert "already ended" in response.content.decode()
