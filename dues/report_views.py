"""Dues reports: a branch's month for its officers and liaison officers (and those above), the county
overview with a collection-rate chart for overseers, and the overview as .xlsx; the branch's managers
record there a failed refund they returned by hand."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ebranch.lib.months import month_add, this_month

from . import payments
from .forms import RefundSettleForm
from .models import PaymentOrder
from .reports import (
    branch_report,
    county_overview,
    overview_totals,
    overview_xlsx,
    refunds_failed,
    refunds_settled,
)

MONTHS_SHOWN = 12
SETTLED_SHOWN = datetime.timedelta(days=365)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The chart: one horizontal bar per branch, drawn here as plain SVG numbers (no script, nothing loaded).
CHART_LABEL_WIDTH = 150
CHART_BAR_WIDTH = 200
CHART_ROW = 24
CHART_BAR = 14


def _months() -> list[datetime.date]:
    current = this_month()
    return [month_add(current, -n) for n in range(MONTHS_SHOWN)]


def _period(request) -> datetime.date:
    months = _months()
    try:
        chosen = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return months[0]
    return chosen if chosen in months else months[0]


@dataclass
class Bar:
    y: int
    text_y: int
    width: int
    label: str
    rate: object
    low: bool


def rate_chart(rows) -> dict:
    """Geometry of the collection-rate chart: one bar per branch, 100% = CHART_BAR_WIDTH."""
    bars = []
    for i, row in enumerate(rows):
        rate = row.rate
        width = round(min(rate or 0, 100) * CHART_BAR_WIDTH / 100)
        bars.append(Bar(
            y=i * CHART_ROW + (CHART_ROW - CHART_BAR) // 2, text_y=i * CHART_ROW + CHART_ROW // 2 + 5,
            width=width, label=row.organization.display_name, rate=rate, low=rate is not None and rate < 80,
        ))
    return {
        "bars": bars, "label_width": CHART_LABEL_WIDTH, "bar_width": CHART_BAR_WIDTH, "bar": CHART_BAR,
        "height": max(len(bars), 1) * CHART_ROW, "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
        "bars_x": CHART_LABEL_WIDTH, "rate_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6,
        "full_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH,
    }


@login_required
def branch(request, pk):
    # The branch's officers and liaison officers, and those above it: who may read its roster.
    org = request.scope.organization_or_404(pk, need="roster")
    period = _period(request)
    return render(
        request, "dues/reports/branch.html",
        {"organization": org, "period": period, "months": _months(), "report": branch_report(org, period),
         "refunds_failed": refunds_failed(org), "can_settle": request.scope.can_manage(org),
         "refunds_settled": refunds_settled(org, since=timezone.now() - SETTLED_SHOWN)},
    )


@login_required
def refund_settle(request, pk):
    # Those who manage the member's branch; liaison officers read only. Outsiders get a 404 first.
    order = get_object_or_404(
        PaymentOrder.objects.select_related("member__organization"),
        pk=pk, member__in=request.scope.managed_members(),
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RefundSettleForm(request.POST)
    if form.is_valid():
        try:
            payments.order_refund_settle(actor=request.user, order=order, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recorded: %(amount)s yuan returned by hand to %(name)s.") % {
                "amount": order.amount, "name": order.member.name,
            })
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("dues_reports:branch", order.member.organization_id)


def _overview(request):
    if not request.scope.is_overseer:
        raise Http404
    period = _period(request)
    return period, county_overview(request.scope.roster_organizations(), period)


@login_required
def county(request):
    period, rows = _overview(request)
    return render(
        request, "dues/reports/county.html",
        {"period": period, "months": _months(), "rows": rows, "total": overview_totals(rows),
         "chart": rate_chart(rows)},
    )


@login_required
def county_xlsx(request):
    period, rows = _overview(request)
    response = HttpResponse(overview_xlsx(rows, period), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dues-{period:%Y-%m}.xlsx"'
    return response
