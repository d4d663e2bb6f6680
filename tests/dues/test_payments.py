"""Payment services: what a member may pay online, offline payments by officers, receipt numbers,
points for paying on time and the upward report of large voluntary payments."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dues.gateways import sandbox
from dues.models import Bill, BranchDuesPolicy, Payment, PaymentOrder, YearlyBase
from dues.payments import (
    bills_ahead,
    ledger_balanced,
    order_create,
    order_refund_settle,
    orders_reconcile,
    payment_record_offline,
)
from ebranch.lib.months import month_add, this_month
from members.notifications.models import Notification
from members.points.models import PointEntry
from tests.dues.payment_fixtures import bill


def test_a_member_pays_only_their_own_unpaid_bills(world):
    mine, theirs = bill(world.member.member), bill(world.other_member.member)
    with pytest.raises(ValidationError):
        order_create(member=world.member.member, bills=[theirs])
    order, _url = order_create(member=world.member.member, bills=[mine], voluntary_amount="5")
    assert order.amount == Decimal("20.00") and order.voluntary_amount == Decimal("5.00")
    assert list(order.bills.all()) == [mine]


def test_back_payment_reaches_six_months_and_older_bills_go_through_an_officer(world):
    member = world.member.member
    order_create(member=member, bills=[bill(member, months_back=6)])
    old = bill(member, months_back=7)
    with translation.override("en"), pytest.raises(ValidationError, match="6 months"):
        order_create(member=member, bills=[old])
    payment = payment_record_offline(
        actor=world.secretary, member=member, bills=[old], amount="15.00", method="cash", reference="No. 7"
    )
    old.refresh_from_db()
    assert old.payment == payment


def test_paying_ahead_needs_the_branchs_consent(world):
    member = world.member.member
    year = month_add(this_month(), 1).year
    YearlyBase.objects.create(member=member, year=year, category="employed", declared_base=3000,
                              base=3000, monthly_amount=Decimal("15.00"), status="approved")
    ahead = bills_ahead(member)
    assert ahead and all(b.amount == Decimal("15.00") and b.period > this_month() for b in ahead)
    with pytest.raises(ValidationError):
        order_create(member=member, bills=ahead)
    BranchDuesPolicy.objects.create(organization=world.branch, quarterly_allowed=True)
    order, _url = order_create(member=member, bills=ahead)
    assert order.amount == Decimal("15.00") * len(ahead)


def test_an_empty_order_is_refused(world):
    with pytest.raises(ValidationError):
        order_create(member=world.member.member, bills=[])


def test_receipt_numbers_count_up_within_the_year(world):
    member = world.member.member
    first = payment_record_offline(actor=world.secretary, member=member, bills=[bill(member)], amount="15",
                                   method="cash", reference="A1")
    second = payment_record_offline(actor=world.secretary, member=member, bills=[bill(member, months_back=1)],
                                    amount="15", method="bank_transfer", reference="B2")
    year = timezone.localdate().year
    assert re.fullmatch(rf"YD-{year}-\d{{6}}", first.receipt_number)
    assert int(second.receipt_number[-6:]) == int(first.receipt_number[-6:]) + 1
    assert first.receipt_check and first.receipt_check != second.receipt_check


def test_offline_payments_need_a_manager_a_reference_and_enough_money(world):
    member = world.member.member
    b = bill(member)
    kwargs = {"member": member, "bills": [b], "amount": "15.00", "method": "cash", "reference": "R1"}
    with pytest.raises(PermissionDenied):
        payment_record_offline(actor=world.other_secretary, **kwargs)
    with pytest.raises(ValidationError):
        payment_record_offline(actor=world.secretary, **{**kwargs, "reference": " "})
    with pytest.raises(ValidationError):
        payment_record_offline(actor=world.secretary, **{**kwargs, "amount": "14.99"})
    with pytest.raises(ValidationError):
        payment_record_offline(actor=world.secretary, **{**kwargs, "method": "online"})
    payment = payment_record_offline(actor=world.secretary, **{**kwargs, "amount": "20.00"})
    assert (payment.amount, payment.voluntary_amount, payment.recorded_by) == (
        Decimal("20.00"), Decimal("5.00"), world.secretary
    )
    with pytest.raises(ValidationError):  # paid once: a second record is refused
        payment_record_offline(actor=world.secretary, **kwargs)
    assert ledger_balanced()


def test_paying_within_the_month_earns_the_on_time_point(world):
    member = world.member.member
    late, on_time = bill(member, months_back=1), bill(member)
    payment_record_offline(actor=world.secretary, member=member, bills=[late, on_time], amount="30",
                           method="cash", reference="R")
    entries = PointEntry.objects.filter(member=member)
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.rule.code, entry.amount, entry.source_id) == ("dues_on_time", 1, on_time.pk)


@pytest.mark.usefixtures("eager")
def test_a_voluntary_payment_of_1000_yuan_is_flagged_and_reported_upward(world):
    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)], voluntary_amount="1000.00")
    sandbox.sandbox_pay(order.out_trade_no)
    payment = Payment.objects.get()
    assert payment.flagged_for_reporting and payment.voluntary_amount == Decimal("1000.00")
    reported = Notification.objects.filter(kind="dues_voluntary_reported")
    assert reported.filter(recipient=world.county_officer).exists()
    assert not reported.filter(recipient=world.member).exists()
    small = payment_record_offline(actor=world.secretary, member=member, bills=[bill(member, months_back=1)],
                                   amount="1014.99", method="cash", reference="R")
    assert not small.flagged_for_reporting


@pytest.mark.usefixtures("eager")
def test_reconcile_closes_orders_the_gateway_never_saw_paid(world):
    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert orders_reconcile(older_than_minutes=15) == {"paid": 0, "failed": 0, "closed": 0}
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert orders_reconcile(older_than_minutes=15)["closed"] == 1
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CLOSED
    assert Bill.objects.get().status == Bill.Status.UNPAID


# Failed refunds returned by hand


def refund_failed(member, out_trade_no="REFUND1") -> PaymentOrder:
    return PaymentOrder.objects.create(
        member=member, gateway="sandbox", out_trade_no=out_trade_no, gateway_trade_no=f"SBX-{out_trade_no}",
        amount=Decimal("15.00"), status=PaymentOrder.Status.REFUND_FAILED, refund_error="refund refused",
        paid_at=timezone.now(),
    )


def _unchanged(order: PaymentOrder) -> None:
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUND_FAILED
    assert (order.refund_settled_by, order.refund_settled_at, order.refund_settled_note) == (None, None, "")


def test_an_officer_records_a_failed_refund_returned_by_hand(world):
    order = refund_failed(world.member.member)
    payments_before = Payment.objects.count()
    when = timezone.now() - datetime.timedelta(hours=2)
    note = "  cash returned 2026-12-01, receipt 12 "
    settled = order_refund_settle(actor=world.secretary, order=order, note=note, now=when)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUNDED_BY_HAND == settled.status
    assert (order.refund_settled_by, order.refund_settled_at, order.refund_settled_note) == (
        world.secretary, when, "cash returned 2026-12-01, receipt 12"
    )
    # Nothing else is touched: the gateway's words stay, the payments ledger is as it was.
    assert order.refund_error == "refund refused" and order.gateway_trade_no == "SBX-REFUND1"
    assert Payment.objects.count() == payments_before and ledger_balanced()
    # Settled once: a second time is refused and the first record stays.
    with translation.override("en"), pytest.raises(ValidationError, match="not a failed refund"):
        order_refund_settle(actor=world.county_officer, order=order, note="again")
    order.refresh_from_db()
    assert (order.refund_settled_by, order.refund_settled_note) == (
        world.secretary, "cash returned 2026-12-01, receipt 12"
    )


def test_only_officers_who_manage_the_branch_settle_a_refund(world):
    order = refund_failed(world.member.member)
    for outsider in (world.liaison, world.other_secretary, world.member):
        with pytest.raises(PermissionDenied):
            order_refund_settle(actor=outsider, order=order, note="cash")
        _unchanged(order)
    order_refund_settle(actor=world.county_officer, order=order, note="cash")  # who manages the subtree
    order.refresh_from_db()
    assert order.refund_settled_by == world.county_officer


def test_an_officer_does_not_settle_their_own_refund(world):
    order = refund_failed(world.secretary.member)
    with translation.override("en"), pytest.raises(ValidationError, match="Another officer"):
        order_refund_settle(actor=world.secretary, order=order, note="cash to myself")
    _unchanged(order)
    order_refund_settle(actor=world.county_officer, order=order, note="cash")


def test_settling_a_refund_needs_a_note(world):
    order = refund_failed(world.member.member)
    with translation.override("en"), pytest.raises(ValidationError, match="Say how the money was returned"):
        order_refund_settle(actor=world.secretary, order=order, note=" ")
    _unchanged(order)


@pytest.mark.parametrize("status", ["pending", "paid", "refunded", "failed", "closed"])
def test_only_a_failed_refund_is_settled_by_hand(world, status):
    order = refund_failed(world.member.member)
    PaymentOrder.objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(ValidationError):
        order_refund_settle(actor=world.secretary, order=order, note="cash")
    order.refresh_from_db()
    assert order.status == status and order.refund_settled_by is None
