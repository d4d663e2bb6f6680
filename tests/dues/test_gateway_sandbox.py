"""The sandbox gateway's callbacks, good and bad: each ends with a bill paid exactly once and the
ledger balanced."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dues.gateways import NotificationInvalid, gateway_get, sandbox
from dues.models import Bill, GatewayNotification, Payment, PaymentOrder
from dues.payments import ledger_balanced, notification_handle, order_create, orders_reconcile
from tests.dues.payment_fixtures import bill

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


@pytest.mark.parametrize("forged", ["签名", "ｓｉｇｎ" * 16, "0" * 63 + "é"])
def test_a_non_ascii_signature_is_a_bad_callback(world, forged):
    member = world.member.member
    b = bill(member)
    order, _url = order_create(member=member, bills=[b])
    payload = {"out_trade_no": order.out_trade_no, "trade_no": "FORGED2", "total_amount": "15.00",
               "trade_status": "TRADE_SUCCESS", "sent_at": "1", "sign": forged}
    note = notification_handle(gateway="sandbox", payload=payload)
    assert (note.signature_valid, note.outcome, note.payload["sign"]) == (False, "bad_signature", forged)
    b.refresh_from_db()
    assert b.status == Bill.Status.UNPAID and not Payment.objects.exists()


def _conflict(world) -> PaymentOrder:
    """Two orders for one bill, both paid at the cashier: the second must be refunded."""
    member = world.member.member
    b = bill(member)
    first, _url = order_create(member=member, bills=[b])
    second, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(first.out_trade_no)
    sandbox.sandbox_pay(second.out_trade_no)
    _paid_once(b)
    second.refresh_from_db()
    return second


def test_a_refund_the_gateway_refuses_is_recorded_and_the_branch_officers_told(world, settings):
    from members.notifications.models import Notification

    settings.DUES_SANDBOX_BEHAVIOUR = "refund_fail"
    order = _conflict(world)
    assert order.status == PaymentOrder.Status.REFUND_FAILED and order.payment is None
    assert order.refund_error == "refund refused by the sandbox"
    assert _outcomes(order) == ["conflict_refund_failed"]
    assert sandbox._book_get(order.out_trade_no)["refunded"] == "0.00"
    told = Notification.objects.filter(kind="dues_refund_failed")
    assert list(told.values_list("recipient", flat=True)) == [world.secretary.pk]
    assert order.out_trade_no in told.get().body
    # A callback sent again changes nothing and is acknowledged.
    sandbox.sandbox_pay(order.out_trade_no)
    assert _outcomes(order) == ["conflict_refund_failed", "duplicate"]
    assert told.count() == 1


def test_a_refund_returned_by_hand_is_not_refunded_again_by_a_late_callback(world, settings):
    from dues.payments import order_refund_settle

    settings.DUES_SANDBOX_BEHAVIOUR = "refund_fail"
    order = _conflict(world)
    order_refund_settle(actor=world.secretary, order=order, note="cash returned, receipt 12")
    settings.DUES_SANDBOX_BEHAVIOUR = "normal"  # the gateway would refund now: it must not be asked
    sandbox.sandbox_pay(order.out_trade_no)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUNDED_BY_HAND
    assert _outcomes(order) == ["conflict_refund_failed", "duplicate"]
    assert sandbox._book_get(order.out_trade_no)["refunded"] == "0.00"


def test_a_refund_that_raises_is_recorded_too(world, monkeypatch):
    def broken(self, order, amount):
        raise ConnectionError("gateway unreachable")

    monkeypatch.setattr(sandbox.SandboxGateway, "refund", broken)
    order = _conflict(world)
    assert order.status == PaymentOrder.Status.REFUND_FAILED
    assert order.refund_error == "ConnectionError: gateway unreachable"
    assert _outcomes(order) == ["conflict_refund_failed"]


def test_a_disabled_sandbox_is_no_gateway(world, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"  # the callback is still on its way
    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    payload = sandbox._payload(sandbox.sandbox_pay(order.out_trade_no), "TRADE_SUCCESS", 2)
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    settings.DUES_SANDBOX_ENABLED = False
    from dues.gateways import gateway_names

    assert gateway_names() == []
    with translation.override("en"), pytest.raises(ValidationError, match="Online payment is not available"):
        order_create(member=member, bills=[bill(member, months_back=1)])
    assert sandbox.sandbox_callback_send(payload) is False
    assert not GatewayNotification.objects.exists()
    # Reconcile leaves alone the orders of a gateway no longer configured.
    assert orders_reconcile(older_than_minutes=15) == {"paid": 0, "failed": 0, "closed": 0}
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING and not Payment.objects.exists()


def test_sandbox_entries_in_dues_gateways_are_refused(settings):
    from dues.checks import gateways_check

    settings.DUES_GATEWAYS = {"test": {"CLASS": "dues.gateways.sandbox.SandboxGateway"}}
    assert [e.id for e in gateways_check(None)] == ["dues.E001"]
    settings.DUES_GATEWAYS = {"real": {"CLASS": "dues.gateways.nowhere.Gateway"}, "bare": {}}
    assert [e.id for e in gateways_check(None)] == ["dues.E002", "dues.E002"]
    settings.DUES_GATEWAYS = {"real": {"CLASS": "dues.gateways.base.Gateway", "KEY": "k"}}
    assert gateways_check(None) == []
    from dues.gateways import gateway_names

    settings.DUES_SANDBOX_ENABLED = True
    assert gateway_names() == ["real", "sandbox"]


# Production: settings from the environment, as `manage.py` reads them.

SANDBOX_PROBE = """
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from dues.gateways import gateway_names
try:
    resolve("/dues/sandbox/pay/ORDER1/")
    routed = "routed"
except Resolver404:
    routed = "not routed"
try:
    reverse("dues_sandbox:pay", args=["ORDER1"])
except NoReverseMatch:
    routed += ", no reverse"
print(routed, gateway_names())
"""


def test_without_debug_the_sandbox_is_off_and_not_routed():
    from tests.ebranch.test_settings import PRODUCTION_ENV, run_manage

    result = run_manage("shell", "--no-imports", "-c", SANDBOX_PROBE, env=PRODUCTION_ENV)
    assert result.stdout.strip() == "not routed, no reverse []", result.stderr
    on = {**PRODUCTION_ENV, "DUES_SANDBOX_ENABLED": "1"}
    enabled = run_manage("shell", "--no-imports", "-c", SANDBOX_PROBE, env=on)
    assert enabled.stdout.strip() == "routed ['sandbox']", enabled.stderr


def test_check_deploy_warns_when_the_sandbox_is_enabled_without_debug():
    from tests.ebranch.test_settings import PRODUCTION_ENV, run_manage

    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "DUES_SANDBOX_ENABLED": "1"})
    assert "dues.W001" in result.stderr and "DUES_SANDBOX_ENABLED" in result.stderr
    real = '{"alipay": {"CLASS": "dues.gateways.base.Gateway", "APP_ID": "2021"}}'
    env = {**PRODUCTION_ENV, "DUES_GATEWAYS": real}
    clean = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
