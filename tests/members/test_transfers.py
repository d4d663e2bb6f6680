"""Membership transfers (members/transfers.py): every path of the service, through its functions.

Inside the portal, to and from outside it, rejection at each step, expiry and reissue, reminders, who
may act, the letter's validity and "dues paid up to", and serial numbers (also
concurrently, on PostgreSQL and SQLite).
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from dues.models import Bill
from dues.payments import payment_record_offline
from members.activity_cards import activity_card_issue
from members.models import ActivityCard, IntroductionLetter, Member, MembershipPeriod, Transfer
from members.notifications.models import Notification
from members.transfers import (
    letters_expire,
    letters_remind,
    transfer_accept,
    transfer_approve,
    transfer_cancel,
    transfer_receipt_record,
    transfer_refuse,
    transfer_register_incoming,
    transfer_reissue,
    transfer_reject,
    transfer_request,
    transfer_withdraw,
)
from tests import factories

Status = Transfer.Status
LetterStatus = IntroductionLetter.Status
OUTSIDE = "中共厦门市思明区委组织部"
OUTSIDE_ADDRESS = "厦门市思明区湖滨北路 1 号"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def member(world) -> Member:
    return world.member.member


def ask(world, member=None, *, actor=None, **fields) -> Transfer:
    member = member or world.member.member
    if "to_outside" not in fields:
        fields.setdefault("to_organization", world.other_branch)
    return transfer_request(member=member, actor=actor or member.user, reason="工作调动到深圳", **fields)


def ask_outside(world, **fields) -> Transfer:
    return ask(world, to_outside=OUTSIDE, to_outside_address=OUTSIDE_ADDRESS, **fields)


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, kind="transfer").order_by("pk")
                .values_list("title", flat=True))


def fresh(obj):
    obj.refresh_from_db()
    return obj


# Inside the portal


def test_within_the_portal_request_approve_accept_moves_the_membership(world, member):
    today = timezone.localdate()
    card = activity_card_issue(
        member=member, actor=world.secretary, host_organization=world.other_branch, starts_on=today,
        ends_on=today + datetime.timedelta(days=30), reason="短期出差",
    )
    transfer = ask(world)
    assert transfer.status == Status.REQUESTED and transfer.from_organization == world.branch
    assert titles(world.secretary) == ["Transfer request from 张三"]

    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    assert fresh(transfer).status == Status.IN_TRANSIT and transfer.approved_by == world.secretary
    assert letter.status == LetterStatus.VALID and letter.number == 1
    assert letter.serial == f"LY-YD-G-01-{today.year}-0001"
    assert (letter.name, letter.from_name, letter.to_name) == ("张三", "厦门第一支部", "深圳第一支部")
    assert letter.id_number == member.id_number and letter.phone == member.phone
    assert titles(world.member) == ["Your transfer was approved"]
    assert titles(world.other_secretary) == ["张三 is transferring to your branch"]
    assert fresh(member).organization == world.branch  # the sender stays responsible until acceptance

    transfer_accept(transfer=transfer, actor=world.other_secretary)

    transfer.refresh_from_db()
    assert transfer.status == Status.COMPLETED and transfer.completed_on == today
    assert transfer.closed_by == world.other_secretary
    member = Member.objects.get(pk=member.pk)
    assert member.organization == world.other_branch and member.member_since == today
    period = MembershipPeriod.objects.get(member=member)
    assert (period.organization, period.started_on, period.ended_on, period.transfer) == (
        world.branch, datetime.date(2020, 1, 1), today, transfer
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.USED and letter.ended_at is not None
    card.refresh_from_db()
    assert card.ended_on == today and card.end_reason == ActivityCard.EndReason.TRANSFERRED
    assert "Membership transfer complete" in titles(world.member)
    assert "Membership transfer complete" in titles(world.secretary)


def test_an_officer_starts_a_transfer_for_a_member_who_is_told(world, member):
    transfer = ask(world, actor=world.secretary, employer="深圳某公司")

    assert transfer.requested_by == world.secretary
    assert titles(world.member) == ["Your branch started your membership transfer"]


def test_a_request_needs_a_reason_one_target_and_no_open_transfer(world, member):
    with pytest.raises(ValidationError) as error:
        transfer_request(member=member, actor=world.member, reason=" ", to_organization=world.other_branch)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        transfer_request(member=member, actor=world.member, reason="x")
    assert "to_organization" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        transfer_request(member=member, actor=world.member, reason="x", to_organization=world.branch)
    assert "to_organization" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        transfer_request(member=member, actor=world.member, reason="x", to_organization=world.county)
    assert "to_organization" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        transfer_request(member=member, actor=world.member, reason="x", to_outside=OUTSIDE)
    assert "to_outside_address" in error.value.message_dict
    ask(world)
    with pytest.raises(ValidationError, match="already under way"):
        ask_outside(world)


# To outside the portal


def test_to_outside_the_receipt_slip_completes_and_the_member_leaves_the_roster(world, member):
    today = timezone.localdate()
    transfer = ask_outside(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    assert letter.to_name == OUTSIDE and letter.to_address == OUTSIDE_ADDRESS
    assert titles(world.other_secretary) == []

    with pytest.raises(ValidationError) as error:
        transfer_receipt_record(transfer=transfer, actor=world.secretary,
                                returned_on=today + datetime.timedelta(days=1))
    assert "returned_on" in error.value.message_dict
    with pytest.raises(ValidationError, match="cannot act"):
        transfer_receipt_record(transfer=transfer, actor=world.other_secretary, returned_on=today)

    transfer_receipt_record(transfer=transfer, actor=world.secretary, returned_on=today)

    transfer.refresh_from_db()
    assert transfer.status == Status.COMPLETED
    assert transfer.receipt_returned_on == transfer.completed_on == today
    assert not Member.objects.filter(pk=member.pk).exists()
    record = Member.records.get(pk=member.pk)
    assert record.left_on == today and record.organization == world.branch
    period = MembershipPeriod.objects.get(member=record)
    assert (period.organization, period.started_on, period.ended_on) == (
        world.branch, record.member_since, today
    )
    assert fresh(letter).status == LetterStatus.USED
    assert "Your membership transfer is complete" in titles(world.member)


def test_a_portal_receiver_cannot_be_completed_by_a_receipt_slip(world, member):
    transfer = ask(world)
    transfer_approve(transfer=transfer, actor=world.secretary)

    with pytest.raises(ValidationError, match="cannot act"):
        transfer_receipt_record(transfer=transfer, actor=world.secretary, returned_on=timezone.localdate())


# From outside the portal


def incoming(world, id_number, **fields):
    values = {
        "actor": world.other_secretary, "organization": world.other_branch,
        "from_outside": "中共莆田市委组织部",
        "letter_number": "莆组介字 2026-015", "received_on": timezone.localdate(), "id_number": id_number,
    }
    values.update(fields)
    return transfer_register_incoming(**values)


def test_from_outside_a_new_member_is_put_on_the_roster(world):
    id_number = factories.id_number()
    transfer = incoming(
        world, id_number, name="新同志", status=Member.Status.FULL, joined_party_on=datetime.date(2010, 7, 1),
        full_member_on=datetime.date(2011, 7, 1),
    )

    member = Member.objects.get(pk=transfer.member_id)
    assert member.id_number == id_number and member.organization == world.other_branch
    assert member.member_since == timezone.localdate()
    assert transfer.status == Status.COMPLETED and transfer.from_outside == "中共莆田市委组织部"
    assert transfer.outside_letter_number == "莆组介字 2026-015"
    period = MembershipPeriod.objects.get(member=member)
    assert (period.outside_organization, period.started_on, period.ended_on) == (
        "中共莆田市委组织部", None, timezone.localdate()
    )


def test_from_outside_a_returning_members_record_is_taken_up_again(world, member):
    left = timezone.localdate() - datetime.timedelta(days=40)
    transfer = ask_outside(world)
    transfer_approve(transfer=transfer, actor=world.secretary)
    IntroductionLetter.objects.filter(transfer=transfer).update(issued_on=left)
    transfer_receipt_record(transfer=transfer, actor=world.secretary, returned_on=left)

    back = incoming(world, member.id_number.lower())

    assert back.member_id == member.pk
    record = Member.objects.get(pk=member.pk)
    assert record.left_on is None and record.organization == world.other_branch
    periods = list(MembershipPeriod.objects.filter(member=record).order_by("pk"))
    assert [(p.organization_name, p.started_on, p.ended_on) for p in periods] == [
        ("厦门第一支部", datetime.date(2020, 1, 1), left),
        ("中共莆田市委组织部", left, timezone.localdate()),
    ]


def test_from_outside_an_id_already_on_a_roster_is_refused(world, member):
    with pytest.raises(ValidationError) as error:
        incoming(world, member.id_number, name="重复")
    assert "厦门第一支部" in error.value.message_dict["id_number"][0]


def test_from_outside_a_full_width_id_finds_the_returning_members_record(world, member):
    left = timezone.localdate() - datetime.timedelta(days=40)
    transfer = ask_outside(world)
    transfer_approve(transfer=transfer, actor=world.secretary)
    IntroductionLetter.objects.filter(transfer=transfer).update(issued_on=left)
    transfer_receipt_record(transfer=transfer, actor=world.secretary, returned_on=left)
    count = Member.records.count()

    back = incoming(world, factories.full_width(member.id_number[:17]) + member.id_number[17])

    assert back.member_id == member.pk and Member.records.count() == count


def test_from_outside_a_full_width_id_already_on_a_roster_is_refused(world, member):
    with pytest.raises(ValidationError) as error:
        incoming(world, factories.full_width(member.id_number), name="重复")
    assert "厦门第一支部" in error.value.message_dict["id_number"][0]


def test_from_outside_only_the_receiving_branchs_officers_register_and_give_the_letter(world):
    with pytest.raises(ValidationError, match="cannot act"):
        incoming(world, factories.id_number(), actor=world.secretary, name="x")
    with pytest.raises(ValidationError, match="cannot act"):
        incoming(world, factories.id_number(), actor=world.other_member, name="x")
    with pytest.raises(ValidationError) as error:
        incoming(world, factories.id_number(), letter_number=" ", name="x")
    assert "letter_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        incoming(world, factories.id_number(), received_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "received_on" in error.value.message_dict


# Rejection at each step


def test_the_sending_branch_rejects_with_a_reason(world, member):
    transfer = ask(world)
    with pytest.raises(ValidationError) as error:
        transfer_reject(transfer=transfer, actor=world.secretary, reason="  ")
    assert "reason" in error.value.message_dict

    transfer_reject(transfer=transfer, actor=world.secretary, reason="材料不全")

    transfer.refresh_from_db()
    assert transfer.status == Status.REJECTED and transfer.closing_reason == "材料不全"
    assert transfer.closed_by == world.secretary and transfer.closed_at is not None
    assert titles(world.member) == ["Your transfer request was rejected"]
    with pytest.raises(ValidationError, match="cannot be changed"):
        transfer_approve(transfer=transfer, actor=world.secretary)
    ask(world)  # a new request may follow


def test_the_receiving_branch_refuses_and_the_member_stays(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)

    transfer_refuse(transfer=transfer, actor=world.other_secretary, reason="不在本支部服务范围")

    assert fresh(transfer).status == Status.REFUSED
    assert fresh(letter).status == LetterStatus.CANCELLED
    assert fresh(member).organization == world.branch
    assert not MembershipPeriod.objects.exists()
    assert "The receiving branch rejected the transfer" in titles(world.secretary)
    with pytest.raises(ValidationError, match="cannot be changed"):
        transfer_accept(transfer=transfer, actor=world.other_secretary)


def test_the_member_withdraws_only_a_waiting_request(world, member):
    transfer = ask(world)
    with pytest.raises(ValidationError, match="cannot act"):
        transfer_withdraw(transfer=transfer, actor=world.secretary)

    transfer_withdraw(transfer=transfer, actor=world.member)
    assert fresh(transfer).status == Status.WITHDRAWN

    second = ask(world)
    transfer_approve(transfer=second, actor=world.secretary)
    with pytest.raises(ValidationError, match="cannot be changed"):
        transfer_withdraw(transfer=second, actor=world.member)


def test_the_sending_branch_cancels_a_letter_in_transit(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    with pytest.raises(ValidationError, match="cannot act"):
        transfer_cancel(transfer=transfer, actor=world.other_secretary, reason="x")

    transfer_cancel(transfer=transfer, actor=world.secretary, reason="工作安排变化")

    assert fresh(transfer).status == Status.CANCELLED
    assert fresh(letter).status == LetterStatus.CANCELLED
    assert "A membership transfer was cancelled" in titles(world.other_secretary)
    assert "A membership transfer was cancelled" in titles(world.member)


# Expiry and reissue


def test_an_expired_letter_is_told_to_both_sides_once_and_reissued_with_a_new_serial(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)

    assert letters_expire(today=letter.valid_until) == 0  # still valid on its last day
    assert letters_expire(today=letter.valid_until + datetime.timedelta(days=1)) == 1

    assert fresh(letter).status == LetterStatus.EXPIRED and fresh(transfer).status == Status.EXPIRED
    for user in (world.member, world.secretary, world.other_secretary):
        assert titles(user).count("An introduction letter expired") == 1
    assert Notification.objects.filter(title="An introduction letter expired", urgent=True).count() == 3
    assert letters_expire(today=letter.valid_until + datetime.timedelta(days=2)) == 0
    assert Notification.objects.filter(title="An introduction letter expired").count() == 3
    with pytest.raises(ValidationError, match="cannot be changed"):
        transfer_accept(transfer=transfer, actor=world.other_secretary)
    with pytest.raises(ValidationError, match="cannot act"):
        transfer_reissue(transfer=transfer, actor=world.other_secretary)

    new = transfer_reissue(transfer=transfer, actor=world.secretary, validity_days=60)

    assert new.number == letter.number + 1 and new.serial != letter.serial
    assert new.validity_days == 60 and new.status == LetterStatus.VALID
    assert fresh(letter).status == LetterStatus.EXPIRED
    assert fresh(transfer).status == Status.IN_TRANSIT
    transfer_accept(transfer=transfer, actor=world.other_secretary)
    assert fresh(letter).status == LetterStatus.EXPIRED and fresh(new).status == LetterStatus.USED


def test_an_expired_transfer_can_be_cancelled(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    letters_expire(today=letter.valid_until + datetime.timedelta(days=1))

    transfer_cancel(transfer=transfer, actor=world.secretary, reason="不再调动")

    assert fresh(transfer).status == Status.CANCELLED
    assert fresh(letter).status == LetterStatus.EXPIRED  # an expired letter stays expired


# Reminders


def test_a_waiting_receiver_is_reminded_after_a_month_then_weekly(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    day = lambda n: letter.issued_on + datetime.timedelta(days=n)  # noqa: E731
    reminder = "A transfer has waited 31 days for your branch"

    assert letters_remind(today=day(30)) == 0
    assert letters_remind(today=day(31)) == 1
    assert titles(world.other_secretary).count(reminder) == 1
    assert letters_remind(today=day(31)) == 0  # once a day at most
    assert letters_remind(today=day(37)) == 0
    assert letters_remind(today=day(38)) == 1
    assert "A transfer has waited 38 days for your branch" in titles(world.other_secretary)
    assert not [t for t in titles(world.secretary) if "waited" in t]

    transfer_accept(transfer=transfer, actor=world.other_secretary)
    assert letters_remind(today=day(60)) == 0  # a used letter waits for nobody


def test_for_an_outside_receiver_the_sender_is_reminded_to_chase_the_receipt_slip(world, member):
    transfer = ask_outside(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)

    assert letters_remind(today=letter.issued_on + datetime.timedelta(days=31)) == 1

    assert titles(world.secretary)[-1] == "No receipt slip after 31 days"


# Who may act


def test_only_the_sending_branchs_managers_approve_or_reject(world, member):
    transfer = ask(world)
    for actor in (world.other_secretary, world.liaison, world.member, world.other_member):
        with pytest.raises(ValidationError, match="cannot act"):
            transfer_approve(transfer=transfer, actor=actor)
        with pytest.raises(ValidationError, match="cannot act"):
            transfer_reject(transfer=transfer, actor=actor, reason="x")
    assert fresh(transfer).status == Status.REQUESTED and not IntroductionLetter.objects.exists()
    transfer_approve(transfer=transfer, actor=world.county_officer)  # overseers manage the branch


def test_a_letter_past_its_last_day_cannot_be_accepted_before_the_nightly_task(world, member):
    transfer = ask(world)
    letter = transfer_approve(transfer=transfer, actor=world.secretary)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=letter.issued_on - datetime.timedelta(days=90),
        valid_until=letter.issued_on - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="expired on"):
        transfer_accept(transfer=transfer, actor=world.other_secretary)
    assert fresh(transfer).status == Status.IN_TRANSIT and fresh(member).organization == world.branch


def test_a_secretarys_own_request_goes_to_the_officers_above(world):
    ask(world, world.secretary.member)

    assert titles(world.secretary) == []
    assert titles(world.county_officer) == ["Transfer request from 李书记"]


def test_the_pdf_is_asked_for_after_the_approval_commits_and_a_broker_outage_is_only_logged(
    world, member, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    asked = []
    monkeypatch.setattr("members.letters.letter_pdf_render.delay", asked.append)
    with django_capture_on_commit_callbacks(execute=True):
        letter = transfer_approve(transfer=ask(world), actor=world.secretary)
    assert asked == [letter.pk]

    def down(letter_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr("members.letters.letter_pdf_render.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        other = transfer_approve(
            transfer=ask(world, world.other_member.member, to_organization=world.branch),
            actor=world.other_secretary,
        )
    assert f"Could not enqueue the PDF of introduction letter {other.pk}" in caplog.text
    assert fresh(other).status == LetterStatus.VALID


def test_only_the_receiving_branchs_managers_accept_or_refuse(world, member):
    transfer = ask(world)
    transfer_approve(transfer=transfer, actor=world.secretary)
    for actor in (world.secretary, world.liaison, world.member, world.other_member):
        with pytest.raises(ValidationError, match="cannot act"):
            transfer_accept(transfer=transfer, actor=actor)
        with pytest.raises(ValidationError, match="cannot act"):
            transfer_refuse(transfer=transfer, actor=actor, reason="x")
    assert fresh(transfer).status == Status.IN_TRANSIT


def test_a_secretary_cannot_approve_their_own_transfer(world):
    own = world.secretary.member
    transfer = ask(world, own)

    with pytest.raises(ValidationError, match="cannot act"):
        transfer_approve(transfer=transfer, actor=world.secretary)
    with pytest.raises(ValidationError, match="cannot act"):
        transfer_reject(transfer=transfer, actor=world.secretary, reason="x")
    transfer_approve(transfer=transfer, actor=world.county_officer)


def test_a_receiving_secretary_cannot_accept_their_own_transfer(world):
    # The county officer is also a member of the other branch: they manage the receiving branch, but not
    # for their own transfer.
    officer_member = factories.member(organization=world.other_branch, user=world.county_officer)
    transfer = ask(world, officer_member, to_organization=world.branch)
    transfer_approve(transfer=transfer, actor=world.other_secretary)

    with pytest.raises(ValidationError, match="cannot act"):
        transfer_accept(transfer=transfer, actor=world.county_officer)
    transfer_accept(transfer=transfer, actor=world.secretary)


def test_others_cannot_ask_for_a_member(world, member):
    for actor in (world.other_secretary, world.liaison, world.other_member):
        with pytest.raises(ValidationError, match="cannot act"):
            ask(world, actor=actor)


# Validity and dues paid up to


def test_validity_is_90_days_by_default_and_at_most_90(world, member):
    transfer = ask(world)
    for days in (91, 0):
        with pytest.raises(ValidationError) as error:
            transfer_approve(transfer=transfer, actor=world.secretary, validity_days=days)
        assert "validity_days" in error.value.message_dict
    assert fresh(transfer).status == Status.REQUESTED and not IntroductionLetter.objects.exists()

    letter = transfer_approve(transfer=transfer, actor=world.secretary)

    assert letter.validity_days == 90
    assert letter.valid_until == letter.issued_on + datetime.timedelta(days=89)


def test_a_shorter_validity_counts_the_issue_day(world, member):
    letter = transfer_approve(transfer=ask(world), actor=world.secretary, validity_days=30)

    assert letter.valid_until == letter.issued_on + datetime.timedelta(days=29)


def test_without_dues_bills_the_officer_gives_dues_paid_up_to(world, member):
    letter = transfer_approve(
        transfer=ask(world), actor=world.secretary, dues_paid_up_to=datetime.date(2026, 3, 15)
    )

    assert letter.dues_paid_up_to == datetime.date(2026, 3, 1)


def test_without_dues_bills_or_input_dues_paid_up_to_is_left_blank(world, member):
    letter = transfer_approve(transfer=ask(world), actor=world.secretary)

    assert letter.dues_paid_up_to is None


def bills(world, member, *months, paid=()):
    """Dues bills for months of 2026; `paid` ones paid in cash through the officer's service."""
    made = {
        month: Bill.objects.create(member=member, organization=member.organization,
                                   period=datetime.date(2026, month, 1), amount=Decimal("15.00"))
        for month in months
    }
    if paid:
        payment_record_offline(
            actor=world.secretary, member=member, bills=[made[m] for m in paid],
            amount=Decimal("15.00") * len(paid), method="cash", reference="收据 001",
        )
    return made


def test_dues_bills_decide_dues_paid_up_to_over_the_officers_input(world, member):
    bills(world, member, 1, 2, 3, 4, 5, paid=(1, 2, 3, 5))  # April unpaid: paid up to March

    letter = transfer_approve(
        transfer=ask(world), actor=world.secretary, dues_paid_up_to=datetime.date(2026, 5, 1)
    )

    assert letter.dues_paid_up_to == datetime.date(2026, 3, 1)


def test_unpaid_bills_only_leave_dues_paid_up_to_blank_whatever_the_officer_says(world, member):
    bills(world, member, 1, 2)

    letter = transfer_approve(
        transfer=ask(world), actor=world.secretary, dues_paid_up_to=datetime.date(2026, 2, 1)
    )

    assert letter.dues_paid_up_to is None


# Serial numbers


def approve_for(world, organization, count):
    letters = []
    for _ in range(count):
        someone = factories.member(organization=organization, user=factories.user())
        target = world.other_branch if organization == world.branch else world.branch
        transfer = ask(world, someone, to_organization=target)
        actor = world.secretary if organization == world.branch else world.other_secretary
        letters.append(transfer_approve(transfer=transfer, actor=actor))
    return letters


def test_serials_run_per_organization_and_year(world, monkeypatch):
    year = timezone.localdate().year
    assert [letter.number for letter in approve_for(world, world.branch, 3)] == [1, 2, 3]
    assert [letter.number for letter in approve_for(world, world.other_branch, 2)] == [1, 2]

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(year + 1, 1, 2))
    next_year = approve_for(world, world.branch, 2)

    assert [(letter.year, letter.number) for letter in next_year] == [(year + 1, 1), (year + 1, 2)]
    assert next_year[0].serial == f"LY-YD-G-01-{year + 1}-0001"
    assert approve_for(world, world.branch, 1)[0].number == 3
    assert len(set(IntroductionLetter.objects.values_list("check_code", flat=True))) == 8


THREADS, EACH = 8, 5


@pytest.mark.usefixtures("concurrent_db")
def test_serials_have_no_gap_and_no_duplicate_under_concurrency(world, monkeypatch):
    monkeypatch.setattr("members.letters.letter_pdf_render.delay", lambda letter_id: None)
    monkeypatch.setattr("members.notifications.services.notifications_enqueue", lambda ids: None)
    transfers = [
        ask(world, factories.member(organization=world.branch, user=factories.user()))
        for _ in range(THREADS * EACH)
    ]
    start = threading.Barrier(THREADS)
    errors = []

    def approve(batch):
        try:
            start.wait()
            for transfer in batch:
                transfer_approve(transfer=transfer, actor=world.secretary)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(transfers[n::THREADS],)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    letters = IntroductionLetter.objects.filter(organization=world.branch)
    numbers = sorted(letters.values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * EACH + 1))
    assert Transfer.objects.filter(status=Status.IN_TRANSIT).count() == THREADS * EACH
