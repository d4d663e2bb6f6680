"""Receipts: one PDF per payment, made once by a Celery task, checkable on a public page."""

import base64
import hmac
import io

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from ebranch.lib.money import format_yuan, yuan_in_capitals
from ebranch.lib.months import months_between
from ebranch.lib.pdf import render_to_pdf

from .models import Payment

TEMPLATE = "dues/pdf/receipt.html"
# With a context: the bare "online" is already translated for meetings (online check-in).
METHODS = {
    Payment.Method.ONLINE: pgettext_lazy("dues payment method", "online payment"),
    Payment.Method.CASH: pgettext_lazy("dues payment method", "cash"),
    Payment.Method.BANK_TRANSFER: pgettext_lazy("dues payment method", "bank transfer"),
}


def verify_url(payment: Payment) -> str:
    path = reverse("receipts:verify", args=[payment.receipt_number, payment.receipt_check])
    return settings.SITE_URL.rstrip("/") + path


def qr_data_uri(text: str) -> str:
    """A small 1-bit PNG: drawn much faster by WeasyPrint than an SVG path of every module."""
    import qrcode

    code = qrcode.QRCode(box_size=4, border=1, mask_pattern=0)  # a fixed mask: no search over all 8
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def months_text(periods: list) -> str:
    """2026-01–2026-03, 2026-05: consecutive months joined into ranges."""
    ranges: list[list] = []
    for period in sorted(periods):
        if ranges and months_between(ranges[-1][1], period) == 1:
            ranges[-1][1] = period
        else:
            ranges.append([period, period])
    return ", ".join(
        f"{a:%Y-%m}" if a == b else f"{a:%Y-%m}–{b:%Y-%m}" for a, b in ranges
    )


def masked_name(name: str) -> str:
    """刘** for 刘德华: the surname only, for public pages."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def receipt_context(payment: Payment) -> dict:
    periods = [bill.period for bill in payment.bills.all()]
    dues_amount = payment.amount - payment.voluntary_amount
    url = verify_url(payment)
    return {
        "payment": payment,
        "organization": payment.organization,
        "member_name": payment.member.name,
        "masked_id_number": payment.member.masked_id_number,
        "months": months_text(periods),
        "dues_amount": format_yuan(dues_amount) if periods or dues_amount else "",
        "voluntary_amount": format_yuan(payment.voluntary_amount) if payment.voluntary_amount else "",
        "amount": format_yuan(payment.amount),
        "amount_capitals": yuan_in_capitals(payment.amount),
        "method": METHODS.get(payment.method, payment.get_method_display()),
        "paid_on": timezone.localtime(payment.paid_at).date(),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


def receipt_pdf(payment: Payment) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_pdf(TEMPLATE, receipt_context(payment))


@shared_task
def receipt_generate(payment_id: int, regenerate: bool = False) -> bool:
    """Make the payment's receipt PDF; return whether one was made.

    Claimed with a conditional update on `receipt_generated_at`, so a repeated or concurrent run makes
    nothing; `regenerate=True` makes it again. A failed render releases the claim.
    """
    now = timezone.now()
    claimed = Payment.objects.filter(pk=payment_id)
    if not regenerate:
        claimed = claimed.filter(receipt_generated_at__isnull=True)
    if not claimed.update(receipt_generated_at=now):
        return False
    try:
        payment = Payment.objects.select_related("member", "organization").get(pk=payment_id)
        pdf = receipt_pdf(payment)
        old_name = payment.receipt_file.name
        payment.receipt_file.save(f"{payment.receipt_number}.pdf", ContentFile(pdf), save=False)
        Payment.objects.filter(pk=payment_id).update(receipt_file=payment.receipt_file.name)
        if old_name and old_name != payment.receipt_file.name:
            payment.receipt_file.storage.delete(old_name)
    except Exception:
        Payment.objects.filter(pk=payment_id, receipt_generated_at=now).update(receipt_generated_at=None)
        raise
    return True


def check_matches(payment: Payment, check: str) -> bool:
    # bytes: a check from the URL may hold any character, and str comparison refuses non-ASCII
    return bool(payment.receipt_check) and hmac.compare_digest(payment.receipt_check.encode(), check.encode())
