"""A member's receipt download, and the public page that confirms a receipt is genuine."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from ebranch.lib.money import format_yuan

from .models import Payment
from .receipts import check_matches, masked_name, months_text, receipt_generate


@login_required
def receipt_download(request, pk):
    """The member themself and the managers of their branch; anyone else gets a 404."""
    scope = request.scope
    visible = Q(member__user=request.user) | Q(member__in=scope.managed_members())
    payment = Payment.objects.filter(visible, pk=pk).first()
    if payment is None:
        raise Http404
    if not payment.receipt_file:
        receipt_generate(payment.pk)
        payment.refresh_from_db(fields=["receipt_file"])
    if not payment.receipt_file:
        raise Http404
    response = FileResponse(
        payment.receipt_file.open("rb"), content_type="application/pdf",
        filename=f"{payment.receipt_number}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def receipt_verify(request, receipt_number, check):
    """Public, no login: what the receipt says, without personal data (the name masked, no ID)."""
    payment = (
        Payment.objects.select_related("organization", "member")
        .filter(receipt_number=receipt_number).first()
    )
    if payment is None or not check_matches(payment, check):
        raise Http404
    context = {
        "payment": payment,
        "organization": payment.organization,
        "member_name": masked_name(payment.member.name),
        "amount": format_yuan(payment.amount),
        "voluntary_amount": format_yuan(payment.voluntary_amount) if payment.voluntary_amount else "",
        "months": months_text([bill.period for bill in payment.bills.all()]),
        "paid_on": timezone.localtime(payment.paid_at).date(),
    }
    return render(request, "dues/receipt_verify.html", context)
