"""Paying dues: online orders at a gateway, their callbacks, reconciliation, and offline payments.

Whatever the gateway does, a bill is paid exactly once: the order row is locked while a callback is
handled, its bills are locked and taken from unpaid to paid by a conditional update, trade numbers
are unique, and an order whose bills someone else paid first is refunded.
"""

import datetime
import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ebranch.lib.months import month_add, month_start, this_month
from members.models import Member, Position
from members.scope import Scope

from .gateways import NotificationInvalid, gateway_default, gateway_get, gateway_names
from .models import Bill, BranchDuesPolicy, GatewayNotification, Payment, PaymentOrder

log = logging.getLogger(__name__)

BACK_MONTHS = 6  # a member pays arrears this many months back; older ones only through an officer
AHEAD_MONTHS = 3  # quarterly payment: this many months ahead, when the branch agreed
REPORTING_THRESHOLD = Decimal("1000.00")
CENT = Decimal("0.01")

# Outcomes of a callback; the notify endpoint acknowledges only these.
ACKNOWLEDGED = {
    "paid", "duplicate", "late", "failed", "ignored", "conflict_refunded", "conflict_refund_failed",
}


def quarterly_allowed(member: Member) -> bool:
    policies = BranchDuesPolicy.objects.filter(organization_id=member.organization_id, quarterly_allowed=True)
    return policies.exists()


def bills_payable(member: Member, *, today=None):
    """The member's unpaid bills the member may pay online: up to BACK_MONTHS back, oldest first."""
    current = month_start(today) if today else this_month()
    return Bill.objects.filter(
        member=member, status=Bill.Status.UNPAID, period__gte=month_add(current, -BACK_MONTHS),
        period__lte=month_add(current, AHEAD_MONTHS),
    ).order_by("period")


def bills_ahead(member: Member, *, today=None) -> list[Bill]:
    """Bills for the coming months of a quarterly payment, created now from the approved yearly base."""
    from .models import YearlyBase

    current = month_start(today) if today else this_month()
    made = []
    for n in range(1, AHEAD_MONTHS + 1):
        period = month_add(current, n)
        base = YearlyBase.objects.filter(
            member=member, year=period.year, status=YearlyBase.Status.APPROVED, monthly_amount__isnull=False
        ).first()
        if base is None:
            break
        bill, _created = Bill.objects.get_or_create(
            member=member, period=period,
            defaults={"organization_id": member.organization_id, "amount": base.monthly_amount},
        )
        if bill.status == Bill.Status.UNPAID:
            made.append(bill)
    return made


def online_unavailable_message() -> str:
    return _("Online payment is not available. Pay your branch secretary, who records the payment and "
             "gives you a receipt.")


def _out_trade_no() -> str:
    return f"{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"


def order_create(*, member: Member, bills, voluntary_amount=Decimal("0"), gateway: str | None = None,
                 today=None) -> tuple[PaymentOrder, str]:
    """An order for some of the member's own unpaid bills and an optional voluntary amount.

    Returns the order and the URL of the gateway's pay page."""
    bills = list(bills)
    voluntary_amount = Decimal(voluntary_amount or 0).quantize(CENT)
    if voluntary_amount < 0:
        raise ValidationError(_("A voluntary amount cannot be negative."))
    current = month_start(today) if today else this_month()
    for bill in bills:
        if bill.member_id != member.pk or bill.status != Bill.Status.UNPAID:
            raise ValidationError(_("Only your own unpaid bills can be paid."))
        if bill.period < month_add(current, -BACK_MONTHS):
            raise ValidationError(_("Bills more than 6 months old are paid through your branch."))
        if bill.period > current and not (
            bill.period <= month_add(current, AHEAD_MONTHS) and quarterly_allowed(member)
        ):
            raise ValidationError(_("Your branch has not agreed to payment in advance."))
    amount = sum((b.amount for b in bills), Decimal("0")) + voluntary_amount
    if amount <= 0:
        raise ValidationError(_("Choose at least one bill or a voluntary amount."))
    gateway = gateway or gateway_default()
    if gateway is None:
        raise ValidationError(online_unavailable_message())
    gw = gateway_get(gateway)
    with transaction.atomic():
        order = PaymentOrder.objects.create(
            member=member, gateway=gw.name, out_trade_no=_out_trade_no(), amount=amount,
            voluntary_amount=voluntary_amount,
        )
        order.bills.set(bills)
    return order, gw.create_order(order)


# Payments


def _receipt_number(year: int) -> str:
    prefix = f"{getattr(settings, 'DUES_RECEIPT_PREFIX', 'YD')}-{year}-"
    last = (
        Payment.objects.filter(receipt_number__startswith=prefix).order_by("-receipt_number")
        .values_list("receipt_number", flat=True).first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def _payment_create(**fields) -> Payment:
    """A payment with the next receipt number of its year (retried when another took it meanwhile)."""
    year = timezone.localtime(fields.get("paid_at") or timezone.now()).year
    for attempt in range(10):
        number = _receipt_number(year)
        if attempt:
            number = f"{number}{secrets.randbelow(10)}" if attempt > 5 else number
        try:
            with transaction.atomic():
                return Payment.objects.create(
                    receipt_number=number, receipt_check=secrets.token_urlsafe(16)[:20], **fields
                )
        except IntegrityError:
            continue
    raise IntegrityError("no free receipt number")


def _after_payment(payment: Payment, bills: list[Bill]) -> None:
    """Receipt, on-time points and the upward report of a large voluntary payment, after commit."""
    payment_id = payment.pk

    def enqueue_receipt():
        try:
            from dues.receipts import receipt_generate  # written with the receipts piece
        except ImportError:
            return
        receipt_generate.delay(payment_id)

    transaction.on_commit(enqueue_receipt)
    paid_on = timezone.localtime(payment.paid_at).date()
    from members.points.services import points_award

    for bill in bills:
        if paid_on < month_add(bill.period, 1):
            points_award(member=payment.member, code="dues_on_time", source=bill, when=payment.paid_at)
    if payment.flagged_for_reporting:
        _report_upward(payment)


def _report_upward(payment: Payment) -> None:
    from members.notifications.services import notification_send

    org = payment.organization
    paths = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    overseers = {
        p.user for p in Position.objects.active().filter(
            organization__path__in=paths, kind__in=Position.OVERSIGHT_KINDS
        ).select_related("user")
    }
    if overseers:
        notification_send(
            recipients=list(overseers), kind="dues_voluntary_reported",
            title=_("Voluntary dues of %(amount)s yuan to report") % {"amount": payment.voluntary_amount},
            body=_("%(org)s received a single voluntary payment of %(amount)s yuan (receipt %(number)s).") % {
                "org": org.name, "amount": payment.voluntary_amount, "number": payment.receipt_number,
            },
        )


def _settle(order_pk: int, *, gateway_trade_no: str) -> str:
    """Book a paid order: its bills paid exactly once, or the order refunded. Returns the outcome."""
    refund = None
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().select_related("member").get(pk=order_pk)
        if order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.REFUNDED,
                            PaymentOrder.Status.REFUND_FAILED, PaymentOrder.Status.REFUNDED_BY_HAND):
            return "duplicate" if order.gateway_trade_no == gateway_trade_no else "late"
        if PaymentOrder.objects.filter(gateway_trade_no=gateway_trade_no).exclude(pk=order.pk).exists():
            return "trade_no_reused"
        bill_ids = list(order.bills.values_list("pk", flat=True))
        bills = list(Bill.objects.select_for_update().filter(pk__in=bill_ids).order_by("pk"))
        order.gateway_trade_no = gateway_trade_no
        order.paid_at = timezone.now()
        if any(b.status != Bill.Status.UNPAID for b in bills):
            order.status = PaymentOrder.Status.REFUNDED
            order.save(update_fields=["gateway_trade_no", "paid_at", "status"])
            refund = order
        else:
            member = order.member
            payment = _payment_create(
                member=member, organization_id=member.organization_id, amount=order.amount,
                voluntary_amount=order.voluntary_amount,
                flagged_for_reporting=order.voluntary_amount >= REPORTING_THRESHOLD,
                method=Payment.Method.ONLINE, reference=gateway_trade_no, paid_at=order.paid_at,
            )
            updated = Bill.objects.filter(pk__in=bill_ids, status=Bill.Status.UNPAID).update(
                status=Bill.Status.PAID, payment=payment
            )
            if updated != len(bill_ids):  # cannot happen under the row locks; never pay a bill twice
                raise IntegrityError("bills changed under lock")
            order.status = PaymentOrder.Status.PAID
            order.payment = payment
            order.save(update_fields=["gateway_trade_no", "paid_at", "status", "payment"])
            _after_payment(payment, bills)
    if refund is not None:
        log.warning("order %s: a bill was already paid; refunding", refund.out_trade_no)
        return "conflict_refunded" if _refund(refund) else "conflict_refund_failed"
    return "paid"


def _refund(order: PaymentOrder) -> bool:
    """Ask the gateway to refund the whole order; when it does not, record it and tell the branch."""
    try:
        result = gateway_get(order.gateway).refund(order, order.amount)
    except Exception as exc:  # a network or provider error is a failed refund, never a lost one
        log.exception("order %s: the refund raised", order.out_trade_no)
        error = f"{type(exc).__name__}: {exc}"
    else:
        if isinstance(result, dict) and result.get("refunded") is True:
            return True
        error = str(result.get("error") or "") if isinstance(result, dict) else ""
        log.error("order %s: the gateway did not refund it: %s", order.out_trade_no, error or result)
    with transaction.atomic():
        order.status = PaymentOrder.Status.REFUND_FAILED
        order.refund_error = error[:200]  # the gateway's words; empty when it gave none
        order.save(update_fields=["status", "refund_error"])
        _refund_failed_tell(order)
    return False


def _refund_failed_tell(order: PaymentOrder) -> None:
    from members.notifications.services import notification_send

    member = order.member
    officers = {
        p.user for p in Position.objects.active().filter(
            organization_id=member.organization_id, kind__in=Position.COMMITTEE_KINDS
        ).select_related("user")
    }
    if not officers:
        return
    try:
        url = reverse("dues_reports:branch", args=[member.organization_id])
    except NoReverseMatch:
        url = ""
    notification_send(
        recipients=list(officers), kind="dues_refund_failed",
        title=_("A refund to %(name)s failed") % {"name": member.name},
        body=_(
            "%(name)s paid %(amount)s yuan online (order %(order)s, gateway trade %(trade)s) for months "
            "already paid. The gateway did not refund it: %(error)s. Please return the money to the member "
            "and keep a record."
        ) % {"name": member.name, "amount": order.amount, "order": order.out_trade_no,
             "trade": order.gateway_trade_no,
             "error": order.refund_error or _("the gateway did not confirm the refund")},
        url=url,
    )


@transaction.atomic
def order_refund_settle(*, actor, order: PaymentOrder, note: str, now=None) -> PaymentOrder:
    """An officer who manages the member's branch records how they returned a failed refund by hand."""
    if not Scope(actor).can_manage(order.member.organization):
        raise PermissionDenied
    if order.member.user_id == actor.pk:
        raise ValidationError(_("Another officer records the return of your own refund."))
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say how the money was returned, e.g. cash and a receipt number."))
    locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != PaymentOrder.Status.REFUND_FAILED:
        raise ValidationError(_("This order is not a failed refund (any more); nothing was recorded."))
    locked.status = PaymentOrder.Status.REFUNDED_BY_HAND
    locked.refund_settled_by = actor
    locked.refund_settled_at = now or timezone.now()
    locked.refund_settled_note = note
    locked.full_clean()
    locked.save(update_fields=["status", "refund_settled_by", "refund_settled_at", "refund_settled_note"])
    log.info("order %s: refund of %s returned by hand, recorded by user %s", locked.out_trade_no,
             locked.amount, actor.pk)
    return locked


def _order_fail(order_pk: int) -> str:
    updated = PaymentOrder.objects.filter(pk=order_pk, status=PaymentOrder.Status.PENDING).update(
        status=PaymentOrder.Status.FAILED
    )
    return "failed" if updated else "ignored"


def _jsonable(payload) -> dict:
    """The payload as stored: flat, and without NUL characters (PostgreSQL's jsonb refuses them)."""

    def clean(value):
        if isinstance(value, (int, bool, type(None))):
            return value
        return str(value).replace("\x00", "\ufffd")

    return {clean(str(k)): clean(v) for k, v in dict(payload).items()}


def notification_handle(*, gateway: str, payload: dict) -> GatewayNotification:
    """Handle one callback as received; always stored. `outcome` in ACKNOWLEDGED means processed."""
    gw = gateway_get(gateway)
    order = None
    valid = False
    try:
        data = gw.verify_notification(payload)
        valid = True
        order = PaymentOrder.objects.filter(gateway=gw.name, out_trade_no=data["out_trade_no"]).first()
        if order is None:
            outcome = "unknown_order"
        elif data["amount"] != order.amount:
            outcome = "wrong_amount"
        elif data["status"] == "paid":
            outcome = _settle(order.pk, gateway_trade_no=data["gateway_trade_no"])
        elif data["status"] == "failed":
            outcome = _order_fail(order.pk)
        else:
            outcome = "ignored"
    except NotificationInvalid:
        outcome = "bad_signature"
    return GatewayNotification.objects.create(
        gateway=gw.name, order=order, payload=_jsonable(payload), signature_valid=valid, outcome=outcome
    )


def orders_reconcile(*, older_than_minutes: int = 15, close_after_hours: int = 24) -> dict:
    """Ask the gateway about orders left pending, and book what it says."""
    now = timezone.now()
    counts = {"paid": 0, "failed": 0, "closed": 0}
    pending = PaymentOrder.objects.filter(
        status=PaymentOrder.Status.PENDING,
        created_at__lt=now - datetime.timedelta(minutes=older_than_minutes),
    )
    configured = set(gateway_names())
    for order in pending:
        if order.gateway not in configured:  # e.g. the sandbox, switched off since: nobody to ask
            continue
        result = gateway_get(order.gateway).query_order(order)
        if result["status"] == "paid" and result.get("amount") == order.amount:
            outcome = _settle(order.pk, gateway_trade_no=result["gateway_trade_no"])
            counts["paid"] += outcome == "paid"
        elif result["status"] == "failed":
            counts["failed"] += _order_fail(order.pk) == "failed"
        elif order.created_at < now - datetime.timedelta(hours=close_after_hours):
            counts["closed"] += PaymentOrder.objects.filter(
                pk=order.pk, status=PaymentOrder.Status.PENDING
            ).update(status=PaymentOrder.Status.CLOSED)
    return counts


def payment_record_offline(*, actor, member: Member, bills, amount, method: str, reference: str) -> Payment:
    """An officer records cash or a bank transfer for some of the member's unpaid bills (any age)."""
    if not Scope(actor).can_manage(member.organization):
        raise PermissionDenied
    if method not in (Payment.Method.CASH, Payment.Method.BANK_TRANSFER):
        raise ValidationError(_("Choose cash or bank transfer."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("Enter the reference of the payment."))
    amount = Decimal(amount).quantize(CENT)
    bill_ids = [b.pk for b in bills]
    with transaction.atomic():
        locked = list(Bill.objects.select_for_update().filter(pk__in=bill_ids).order_by("pk"))
        if len(locked) != len(set(bill_ids)) or any(
            b.member_id != member.pk or b.status != Bill.Status.UNPAID for b in locked
        ):
            raise ValidationError(_("Only the member's unpaid bills can be paid."))
        due = sum((b.amount for b in locked), Decimal("0"))
        if amount < due or amount <= 0:
            raise ValidationError(_("The amount is less than the bills chosen (%(due)s).") % {"due": due})
        voluntary = amount - due
        payment = _payment_create(
            member=member, organization_id=member.organization_id, amount=amount, voluntary_amount=voluntary,
            flagged_for_reporting=voluntary >= REPORTING_THRESHOLD, method=method, reference=reference,
            recorded_by=actor,
        )
        Bill.objects.filter(pk__in=bill_ids, status=Bill.Status.UNPAID).update(
            status=Bill.Status.PAID, payment=payment
        )
        _after_payment(payment, locked)
    return payment


def ledger_balanced(member_ids=None) -> bool:
    """Sum of payments = sum of paid bills + voluntary amounts."""
    payments = Payment.objects.all()
    bills = Bill.objects.filter(status=Bill.Status.PAID)
    if member_ids is not None:
        payments, bills = payments.filter(member_id__in=member_ids), bills.filter(member_id__in=member_ids)
    paid = payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    voluntary = payments.aggregate(s=Sum("voluntary_amount"))["s"] or Decimal("0")
    billed = bills.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return paid == billed + voluntary
