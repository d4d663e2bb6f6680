"""The built-in sandbox gateway: behaves like a hosted provider, without money or network.

It has its own cashier page; "pay" records the trade in the sandbox's own book (the cache) and sends
an HMAC-SHA256-signed callback from a Celery task, retried until our notify handler acknowledges it.
The `DUES_SANDBOX_BEHAVIOUR` setting makes callbacks misbehave:
  "normal"    one callback;
  "fail"      callbacks are lost (only the reconcile task finds the payment);
  "delay"     the callback waits `DUES_SANDBOX_DELAY` seconds (default 60);
  "duplicate" the same callback twice;
  "reorder"   the paid callback first, then a stale "waiting" one sent before it.
"""

import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from .base import Gateway, NotificationInvalid

BOOK_KEY = "dues-sandbox-trade:{}"
MAX_ATTEMPTS = 8
STATUSES = {"TRADE_SUCCESS": "paid", "TRADE_CLOSED": "failed"}
SIGNED_FIELDS = ("out_trade_no", "trade_no", "total_amount", "trade_status", "sent_at")


def _secret() -> bytes:
    return (getattr(settings, "DUES_SANDBOX_SECRET", "") or f"sandbox:{settings.SECRET_KEY}").encode()


def sign(payload: dict) -> str:
    """HMAC-SHA256 over the signed fields, sorted, as `key=value` joined by `&`."""
    message = "&".join(f"{k}={payload.get(k, '')}" for k in sorted(SIGNED_FIELDS))
    return hmac.new(_secret(), message.encode(), hashlib.sha256).hexdigest()


def behaviour() -> str:
    return getattr(settings, "DUES_SANDBOX_BEHAVIOUR", "normal") or "normal"


def _book_get(out_trade_no: str) -> dict | None:
    return cache.get(BOOK_KEY.format(out_trade_no))


def _book_set(out_trade_no: str, trade: dict) -> None:
    cache.set(BOOK_KEY.format(out_trade_no), trade, timeout=None)


def _payload(trade: dict, status: str, sent_at: int) -> dict:
    payload = {
        "out_trade_no": trade["out_trade_no"], "trade_no": trade["trade_no"],
        "total_amount": trade["total_amount"], "trade_status": status, "sent_at": str(sent_at),
    }
    payload["sign"] = sign(payload)
    return payload


class SandboxGateway(Gateway):
    def create_order(self, order) -> str:
        _book_set(order.out_trade_no, {
            "out_trade_no": order.out_trade_no, "trade_no": "", "total_amount": f"{order.amount:.2f}",
            "status": "pending", "refunded": "0.00",
        })
        return reverse("dues_sandbox:pay", args=[order.out_trade_no])

    def verify_notification(self, payload: dict) -> dict:
        given = str(payload.get("sign", ""))
        if not given or not hmac.compare_digest(given.encode(), sign(payload).encode()):
            raise NotificationInvalid("bad signature")
        try:
            amount = Decimal(str(payload["total_amount"]))
        except (KeyError, InvalidOperation) as exc:
            raise NotificationInvalid("bad amount") from exc
        status = STATUSES.get(payload.get("trade_status"), "pending")
        return {
            "out_trade_no": str(payload.get("out_trade_no", "")),
            "gateway_trade_no": str(payload.get("trade_no", "")), "amount": amount, "status": status,
        }

    def query_order(self, order) -> dict:
        trade = _book_get(order.out_trade_no)
        if trade is None:
            return {"out_trade_no": order.out_trade_no, "status": "unknown"}
        return {
            "out_trade_no": order.out_trade_no, "gateway_trade_no": trade["trade_no"],
            "amount": Decimal(trade["total_amount"]), "status": trade["status"],
        }

    def refund(self, order, amount: Decimal) -> dict:
        trade = _book_get(order.out_trade_no)
        if trade is None or trade["status"] != "paid":
            return {"refunded": False}
        trade["refunded"] = f"{Decimal(trade['refunded']) + amount:.2f}"
        _book_set(order.out_trade_no, trade)
        return {"refunded": True, "amount": amount}


def sandbox_pay(out_trade_no: str, *, succeed: bool = True) -> dict:
    """The buyer pays (or gives up) at the cashier: record the trade, then send the callbacks."""
    trade = _book_get(out_trade_no)
    if trade is None:
        raise Http404
    if trade["status"] == "pending":
        trade["trade_no"] = "SBX" + secrets.token_hex(10).upper()
        trade["status"] = "paid" if succeed else "failed"
        _book_set(out_trade_no, trade)
    status = "TRADE_SUCCESS" if trade["status"] == "paid" else "TRADE_CLOSED"
    mode = behaviour()
    if mode == "fail":
        return trade
    countdown = int(getattr(settings, "DUES_SANDBOX_DELAY", 60)) if mode == "delay" else 0
    callbacks = [_payload(trade, status, 2)]
    if mode == "duplicate":
        callbacks.append(callbacks[0])
    elif mode == "reorder":
        callbacks.append(_payload(trade, "WAIT_BUYER_PAY", 1))
    for payload in callbacks:
        sandbox_callback_send.apply_async(args=[payload, 1], countdown=countdown)
    return trade


@shared_task
def sandbox_callback_send(payload: dict, attempt: int = 1) -> bool:
    """Deliver one signed callback to our notify handler; send again later until acknowledged."""
    from dues.payment_views import notify_process

    if notify_process("sandbox", payload):
        return True
    if attempt < MAX_ATTEMPTS:
        sandbox_callback_send.apply_async(args=[payload, attempt + 1], countdown=min(15 * 2 ** attempt, 3600))
    return False


@require_http_methods(["GET", "POST"])
def pay_page(request, out_trade_no):
    trade = _book_get(out_trade_no)
    if trade is None:
        raise Http404
    from dues.models import PaymentOrder

    order = PaymentOrder.objects.filter(out_trade_no=out_trade_no).first()
    if request.method == "POST":
        sandbox_pay(out_trade_no, succeed=request.POST.get("action") != "cancel")
        return redirect("dues_pay:return", out_trade_no=out_trade_no)
    context = {"trade": trade, "order": order, "behaviour": behaviour()}
    return render(request, "dues/sandbox_pay.html", context)


app_name = "dues_sandbox"
urlpatterns = [path("pay/<str:out_trade_no>/", pay_page, name="pay")]
