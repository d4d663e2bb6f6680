"""Paying dues: the member's pay page, the gateway's notify endpoint, the return page, and the
officer's form for offline payments."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ebranch.lib.forms import DecimalField
from members.decorators import verified_member_required

from . import payments
from .gateways import gateway_names
from .models import Bill, Payment, PaymentOrder


def notify_process(gateway: str, payload: dict) -> bool:
    """Handle a gateway's callback; True when processed (the gateway may stop sending it)."""
    return payments.notification_handle(gateway=gateway, payload=payload).outcome in payments.ACKNOWLEDGED


@csrf_exempt
@require_POST
def notify(request, gateway):
    if gateway not in gateway_names():
        raise Http404
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            payload = {}
    else:
        payload = request.POST.dict()
    if not isinstance(payload, dict):
        payload = {}
    if notify_process(gateway, payload):
        return HttpResponse("success", content_type="text/plain")
    return HttpResponse("fail", content_type="text/plain", status=400)


class PayForm(forms.Form):
    bills = forms.MultipleChoiceField(label=gettext_lazy("Months"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    ahead = forms.BooleanField(label=gettext_lazy("Also pay the next three months"), required=False)
    voluntary_amount = DecimalField(
        label=gettext_lazy("Voluntary amount (yuan)"), required=False, min_value=0, max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Optional. 1,000 yuan or more in one payment is reported upward."),
    )

    def __init__(self, *args, bills, quarterly, **kwargs):
        super().__init__(*args, **kwargs)
        self.bill_rows = {str(b.pk): b for b in bills}
        self.fields["bills"].choices = [(str(b.pk), f"{b.period:%Y-%m} · ¥{b.amount}") for b in bills]
        if not quarterly:
            del self.fields["ahead"]


@verified_member_required
def pay(request):
    member = request.scope.member
    bills = list(payments.bills_payable(member))
    quarterly = payments.quarterly_allowed(member)
    form = PayForm(request.POST or None, bills=bills, quarterly=quarterly)
    online = bool(gateway_names())  # no gateway configured: members pay their branch instead
    if request.method == "POST" and online and form.is_valid():
        chosen = [form.bill_rows[pk] for pk in form.cleaned_data["bills"]]
        try:
            if form.cleaned_data.get("ahead"):
                chosen += payments.bills_ahead(member)
            _order, url = payments.order_create(
                member=member, bills=chosen, voluntary_amount=form.cleaned_data["voluntary_amount"] or 0
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(url)
    older = Bill.objects.filter(member=member, status=Bill.Status.UNPAID).exclude(
        pk__in=[b.pk for b in bills]
    ).count()
    return render(request, "dues/pay.html",
                  {"form": form, "bills": bills, "older_unpaid": older, "online": online,
                   "unavailable": "" if online else payments.online_unavailable_message()})


@verified_member_required
def order_return(request, out_trade_no):
    order = get_object_or_404(
        PaymentOrder.objects.select_related("payment"), out_trade_no=out_trade_no, member=request.scope.member
    )
    context = {"order": order, "bills": order.bills.order_by("period")}
    return render(request, "dues/order_return.html", context)


class OfflineForm(forms.Form):
    bills = forms.MultipleChoiceField(label=gettext_lazy("Months"), widget=forms.CheckboxSelectMultiple)
    amount = DecimalField(label=gettext_lazy("Amount received (yuan)"), min_value=0, max_digits=10,
                                decimal_places=2)
    method = forms.ChoiceField(
        label=gettext_lazy("Method"),
        choices=[(Payment.Method.CASH, Payment.Method.CASH.label),
                 (Payment.Method.BANK_TRANSFER, Payment.Method.BANK_TRANSFER.label)],
    )
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=100,
                                help_text=gettext_lazy("Receipt book number or bank transaction number."))

    def __init__(self, *args, bills, **kwargs):
        super().__init__(*args, **kwargs)
        self.bill_rows = {str(b.pk): b for b in bills}
        self.fields["bills"].choices = [(str(b.pk), f"{b.period:%Y-%m} · ¥{b.amount}") for b in bills]


@login_required
def offline_record(request, member_pk):
    member = get_object_or_404(request.scope.managed_members().select_related("organization"), pk=member_pk)
    bills = list(Bill.objects.filter(member=member, status=Bill.Status.UNPAID).order_by("period"))
    form = OfflineForm(request.POST or None, bills=bills)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payments.payment_record_offline(
                actor=request.user, member=member, bills=[form.bill_rows[pk] for pk in data["bills"]],
                amount=data["amount"], method=data["method"], reference=data["reference"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = _("Payment recorded: receipt %(number)s.") % {"number": payment.receipt_number}
            messages.success(request, text)
            return redirect("dues_pay:offline", member_pk=member.pk)
    return render(request, "dues/offline.html", {"form": form, "member": member})
