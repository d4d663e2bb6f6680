"""Dues pages: the member's dues and base declaration, and the officers' approvals and changes."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.decorators import verified_member_required

from . import rules, selectors, services
from .forms import ApproveForm, ChangeForm, DeclareForm
from .models import YearlyBase


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _dues_context(member, year: int) -> dict:
    unpaid = list(selectors.bills_unpaid(member))
    return {
        "year": year,
        "yearly": YearlyBase.objects.filter(member=member, year=year).first(),
        "unpaid": unpaid,
        "arrears_total": sum((bill.amount for bill in unpaid), Decimal("0.00")),
        "paid": list(selectors.bills_paid(member)[:24]),
    }


@verified_member_required
def my_dues(request):
    member = request.scope.member
    return render(request, "dues/mine.html", _dues_context(member, timezone.localdate().year))


@verified_member_required
def declare(request):
    member = request.scope.member
    year = timezone.localdate().year
    yearly = YearlyBase.objects.filter(member=member, year=year).first()
    if yearly and yearly.status == YearlyBase.Status.APPROVED:
        messages.info(request, _("This year's base is already approved; ask your branch to change it."))
        return redirect("dues:mine")
    initial = {"category": yearly.category, "declared_base": yearly.declared_base} if yearly else {}
    form = DeclareForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "confirm" in request.POST:
                services.base_declare(actor=request.user, member=member, year=year, **data)
                messages.success(request, _("Your base is declared; your branch will approve it."))
                return redirect("dues:mine")
            preview = rules.monthly_amount(
                category=data["category"], base=data["declared_base"], on=datetime.date(year, 1, 1),
                fixed_amount=data["fixed_amount"],
            )
        except ValidationError as error:
            _add_errors(form, error)
    return render(request, "dues/declare.html", {"form": form, "year": year, "preview": preview})


@login_required
def bases_waiting(request):
    if not (request.scope.managed_paths or request.scope.is_superuser):
        raise Http404
    bases = list(selectors.bases_waiting(request.scope.managed_members()))
    return render(request, "dues/bases.html", {"bases": bases})


@require_POST
@login_required
def base_approve(request, pk):
    yearly = get_object_or_404(
        YearlyBase.objects.select_related("member__organization"),
        pk=pk, member__in=request.scope.managed_members(),
    )
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.base_approve(actor=request.user, yearly_base=yearly, base=form.cleaned_data["base"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The base of %(name)s is approved.") % {"name": yearly.member.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("dues:bases")


@login_required
def member_dues(request, pk):
    member = get_object_or_404(request.scope.managed_members().select_related("organization"), pk=pk)
    year = timezone.localdate().year
    context = _dues_context(member, year)
    yearly = context["yearly"]
    form = ChangeForm(request.POST or None)
    if request.method == "POST":
        if yearly is None:
            raise Http404
        if form.is_valid():
            try:
                services.base_change(actor=request.user, yearly_base=yearly, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The monthly dues are changed."))
                return redirect("dues:member", member.pk)
    changes = list(yearly.changes.select_related("changed_by")) if yearly else []
    paid_this_year = (
        member.dues_bills.filter(period__year=year, status="paid").aggregate(total=Sum("amount"))["total"]
    )
    return render(request, "dues/member.html", {
        **context, "member": member, "form": form, "changes": changes, "paid_this_year": paid_this_year,
    })
