"""The sandbox gateway's callbacks, good and bad: each ends with a bill paid exactly once and the
ledger balanced."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dues.gateways import NotificationInvalid, gateway_get, sandbox
from dues.models import Bill, GatewayNotification, Payment, PaymentOrder
from dues.payments import ledger_balanced, notification_handle, order_create, orders_reconcile
from tests.dues.payment_fixtures import bill, eager  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("eager")


def _paid_once(b: Bill) -> Payment:
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID
    assert Payment.objects.filter(bills=b).count() == 1
    assert ledger_balanced()
    return b.payment


def _outcomes(order) -> list[str]:
    notes = GatewayNotification.objects.filter(order=order).order_by("pk")
    return list(notes.values_list("outcome", flat=True))


def test_paying_at_the_cashier_pays_the_bill_through_a_signed_callback(world):
    member = world.member.member
    b = bill(member)
    order, url = order_create(member=member, bills=[b])
    assert url == f"/dues/sandbox/pay/{order.out_trade_no}/"
    sandbox.sandbox_pay(order.out_trade_no)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    payment = _paid_once(b)
    assert payment.amount == Decimal("15.00") and payment.method == Payment.Method.ONLINE
    assert payment.reference == order.gateway_trade_no
    assert _outcomes(order) == ["paid"]


def test_a_forged_signature_changes_nothing(world):
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    payload = {"out_trade_no": order.out_trade_no, "trade_no": "FORGED1", "total_amount": "15.00",
               "trade_status": "TRADE_SUCCESS", "sent_at": "1", "sign": "0" * 64}
    note = notification_handle(gateway="sandbox", payload=payload)
    assert (note.signature_valid, note.outcome) == (False, "bad_signature")
    b.refresh_from_db()
    assert b.status == Bill.Status.UNPAID and not Payment.objects.exists()
    with pytest.raises(NotificationInvalid):
        gateway_get("sandbox").verify_notification({**payload, "sign": ""})
    with pytest.raises(NotificationInvalid):  # not a TypeError from comparing non-ASCII text
        gateway_get("sandbox").verify_notification({**payload, "sign": "签名" * 32})


def test_a_wrong_amount_changes_nothing_even_when_signed(world):
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    payload = {"out_trade_no": order.out_trade_no, "trade_no": "T1", "total_amount": "0.01",
               "trade_status": "TRADE_SUCCESS", "sent_at": "1"}
    payload["sign"] = sandbox.sign(payload)
    note = notification_handle(gateway="sandbox", payload=payload)
    assert (note.signature_valid, note.outcome) == (True, "wrong_amount")
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING and not Payment.objects.exists()


def test_duplicate_callbacks_pay_once(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "duplicate"
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(order.out_trade_no)
    assert _outcomes(order) == ["paid", "duplicate"]
    _paid_once(b)


def test_reordered_callbacks_leave_the_order_paid(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "reorder"
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(order.out_trade_no)
    assert _outcomes(order) == ["paid", "ignored"]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    _paid_once(b)


def test_lost_callbacks_are_found_by_reconcile_and_a_late_one_changes_nothing(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(order.out_trade_no)
    assert not GatewayNotification.objects.exists()
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert orders_reconcile(older_than_minutes=15)["paid"] == 1
    payment = _paid_once(b)
    # The callback arrives at last.
    settings.DUES_SANDBOX_BEHAVIOUR = "normal"
    sandbox.sandbox_pay(order.out_trade_no)
    assert _outcomes(order) == ["duplicate"]
    assert _paid_once(b) == payment


def test_callbacks_are_sent_again_until_acknowledged(world, monkeypatch):
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    from dues import payment_views

    real, calls = payment_views.notify_process, []

    def flaky(gateway, payload):
        calls.append(payload["trade_no"])
        return len(calls) >= 3 and real(gateway, payload)

    monkeypatch.setattr(payment_views, "notify_process", flaky)
    sandbox.sandbox_pay(order.out_trade_no)
    assert len(calls) == 3
    _paid_once(b)


def test_retries_are_capped(world, monkeypatch):
    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    from dues import payment_views

    calls = []
    monkeypatch.setattr(payment_views, "notify_process", lambda gateway, payload: calls.append(1) and False)
    sandbox.sandbox_pay(order.out_trade_no)
    assert len(calls) == sandbox.MAX_ATTEMPTS


def test_delay_sends_the_callback_later(world, settings, monkeypatch):
    settings.DUES_SANDBOX_BEHAVIOUR = "delay"
    settings.DUES_SANDBOX_DELAY = 90
    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    sent = []
    monkeypatch.setattr(sandbox.sandbox_callback_send, "apply_async", lambda **kwargs: sent.append(kwargs))
    sandbox.sandbox_pay(order.out_trade_no)
    assert [s["countdown"] for s in sent] == [90]


def test_two_orders_for_the_same_bill_pay_it_once_and_refund_the_other(world):
    member = world.member.member
    b = bill(member)
    first, _url = order_create(member=member, bills=[b])
    second, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(first.out_trade_no)
    sandbox.sandbox_pay(second.out_trade_no)
    second.refresh_from_db()
    assert second.status == PaymentOrder.Status.REFUNDED and second.payment is None
    assert _outcomes(second) == ["conflict_refunded"]
    assert gateway_get("sandbox").query_order(second)["status"] == "paid"
    assert sandbox._book_get(second.out_trade_no)["refunded"] == "15.00"
    _paid_once(b)
    assert Payment.objects.count() == 1


def test_a_cancelled_payment_fails_the_order(world):
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(order.out_trade_no, succeed=False)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.FAILED
    b.refresh_from_db()
    assert b.status == Bill.Status.UNPAID and not Payment.objects.exists()
