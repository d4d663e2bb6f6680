"""Callbacks arriving at the same moment: a bill is paid exactly once, and every callback is stored.
On PostgreSQL against its row locks, on SQLite against its one writer at a time (tests/conftest.py)."""

import threading

import pytest
from django.db import connection

from dues.gateways import sandbox
from dues.models import Bill, GatewayNotification, Payment, PaymentOrder
from dues.payments import ledger_balanced, notification_handle, order_create
from tests.dues.payment_fixtures import bill

pytestmark = pytest.mark.usefixtures("concurrent_db", "eager")


def _paid_at_the_sandbox(order) -> dict:
    """The trade as paid at the cashier, with its callback held back for the test to deliver."""
    trade = sandbox.sandbox_pay(order.out_trade_no)
    return sandbox._payload(trade, "TRADE_SUCCESS", 2)


def _deliver_at_once(payloads: list[dict]) -> list[str]:
    barrier = threading.Barrier(len(payloads))
    outcomes, errors = [], []

    def deliver(payload):
        try:
            barrier.wait()
            outcomes.append(notification_handle(gateway="sandbox", payload=payload).outcome)
        except Exception as exc:  # noqa: BLE001 (reported by the test below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return sorted(outcomes)


def test_the_same_callback_delivered_at_once_pays_once(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"  # callbacks held back
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    payload = _paid_at_the_sandbox(order)
    assert _deliver_at_once([payload] * 4) == ["duplicate", "duplicate", "duplicate", "paid"]
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID and Payment.objects.count() == 1
    assert ledger_balanced()


def test_two_orders_for_one_bill_paid_at_once_pay_it_once_and_refund_one(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"
    member = world.member.member
    b = bill(member)
    first, _url = order_create(member=member, bills=[b], voluntary_amount="2")
    second, _url = order_create(member=member, bills=[b])
    payloads = [_paid_at_the_sandbox(first), _paid_at_the_sandbox(second)]
    assert _deliver_at_once(payloads * 2) == ["conflict_refunded", "duplicate", "duplicate", "paid"]
    statuses = sorted(PaymentOrder.objects.values_list("status", flat=True))
    assert statuses == ["paid", "refunded"]
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID and Payment.objects.count() == 1
    assert ledger_balanced()


def test_callbacks_for_five_orders_at_once_all_pay_and_are_all_stored(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"
    member = world.member.member
    orders = [order_create(member=member, bills=[bill(member, months_back=n)])[0] for n in range(5)]
    assert _deliver_at_once([_paid_at_the_sandbox(order) for order in orders]) == ["paid"] * 5
    assert sorted(GatewayNotification.objects.values_list("outcome", flat=True)) == ["paid"] * 5
    assert Bill.objects.filter(status=Bill.Status.PAID).count() == Payment.objects.count() == 5
    assert ledger_balanced()
