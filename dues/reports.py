"""Dues reports: per branch and month, expected (the month's bills), collected (those paid), the
collection rate and the arrears list; a county overview of many branches; its .xlsx export.

All sums are exact Decimals computed by the database; every report runs in a fixed number of queries.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook

from branches.models import Organization
from members.resources import escape_formula

from .models import Bill, PaymentOrder

ZERO = Decimal("0.00")
ONE_PLACE = Decimal("0.1")
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def money(value) -> Decimal:
    """Two places, as stored: SQLite returns sums without their scale."""
    return Decimal(value).quantize(CENT)


def collection_rate(expected: Decimal, collected: Decimal) -> Decimal | None:
    """Collected as a percentage of expected, half-up to one decimal place; None when nothing was due."""
    if not expected:
        return None
    return (collected * 100 / expected).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class Arrears:
    member_id: int
    name: str
    months: int  # unpaid bills up to the report's month
    amount: Decimal
    since: datetime.date  # the oldest unpaid month


@dataclass
class BranchMonth:
    organization: Organization
    period: datetime.date
    expected: Decimal = ZERO
    collected: Decimal = ZERO
    members_behind: int = 0
    arrears: list[Arrears] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return collection_rate(self.expected, self.collected)

    @property
    def outstanding(self) -> Decimal:
        return self.expected - self.collected


def _sum(expression, **filters):
    return Coalesce(Sum(expression, filter=Q(**filters) if filters else None), Value(ZERO),
                    output_field=MONEY_FIELD)


def _totals(organizations: list[Organization], period: datetime.date) -> dict[int, tuple[Decimal, Decimal]]:
    """(expected, collected) of the month per organization (one query)."""
    rows = (
        Bill.objects.filter(organization__in=organizations, period=period)
        .values("organization_id")
        .annotate(expected=_sum("amount"), collected=_sum("amount", status=Bill.Status.PAID))
        .order_by()
    )
    return {row["organization_id"]: (money(row["expected"]), money(row["collected"])) for row in rows}


def _unpaid(organizations, period: datetime.date):
    return Bill.objects.filter(organization__in=organizations, period__lte=period, status=Bill.Status.UNPAID)


def arrears_list(organization: Organization, period: datetime.date) -> list[Arrears]:
    """Members of the branch with bills unpaid up to `period`, most months first (one query)."""
    rows = (
        _unpaid([organization], period)
        .values("member_id", "member__name")
        .annotate(months=Count("pk"), amount=_sum("amount"), since=Min("period"))
        .order_by("-months", "member__name", "member_id")
    )
    return [
        Arrears(row["member_id"], row["member__name"], row["months"], money(row["amount"]), row["since"])
        for row in rows
    ]


def branch_report(organization: Organization, period: datetime.date) -> BranchMonth:
    """One branch's month (two queries)."""
    expected, collected = _totals([organization], period).get(organization.pk, (ZERO, ZERO))
    arrears = arrears_list(organization, period)
    return BranchMonth(
        organization, period, expected, collected, members_behind=len(arrears), arrears=arrears
    )


def refunds_failed(organization: Organization) -> list[PaymentOrder]:
    """Orders of the branch's members the gateway did not refund, for an officer to act on (one query)."""
    failed = PaymentOrder.objects.filter(
        member__organization=organization, status=PaymentOrder.Status.REFUND_FAILED
    )
    return list(failed.select_related("member").order_by("paid_at", "pk"))


def refunds_settled(organization: Organization, *, since: datetime.datetime) -> list[PaymentOrder]:
    """Failed refunds an officer returned by hand since `since`, latest first (one query)."""
    settled = PaymentOrder.objects.filter(
        member__organization=organization, status=PaymentOrder.Status.REFUNDED_BY_HAND,
        refund_settled_at__gte=since,
    )
    return list(settled.select_related("member", "refund_settled_by").order_by("-refund_settled_at", "-pk"))


def county_overview(organizations: QuerySet[Organization], period: datetime.date) -> list[BranchMonth]:
    """Every branch among `organizations` for the month, lowest collection rate first (three queries:
    the branches, the month's sums, the members behind per branch)."""
    branches = list(organizations.filter(kind=Organization.Kind.BRANCH).order_by("path"))
    totals = _totals(branches, period)
    behind = dict(
        _unpaid(branches, period).values("organization_id")
        .annotate(n=Count("member_id", distinct=True)).values_list("organization_id", "n").order_by()
    )
    rows = [
        BranchMonth(org, period, *totals.get(org.pk, (ZERO, ZERO)), members_behind=behind.get(org.pk, 0))
        for org in branches
    ]
    return sorted(rows, key=lambda r: (r.rate is None, r.rate or 0, r.organization.name))


def overview_totals(rows: list[BranchMonth]) -> BranchMonth | None:
    if not rows:
        return None
    total = BranchMonth(None, rows[0].period)
    total.expected = sum((r.expected for r in rows), ZERO)
    total.collected = sum((r.collected for r in rows), ZERO)
    total.members_behind = sum(r.members_behind for r in rows)
    return total


def latest_period() -> datetime.date | None:
    return Bill.objects.aggregate(latest=Max("period"))["latest"]


def overview_xlsx(rows: list[BranchMonth], period: datetime.date) -> bytes:
    """The county overview as a workbook: one row per branch, amounts as numbers, text formula-escaped.
    No personal data is in it (branch figures only)."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{period:%Y-%m}"
    sheet.append([
        _("Branch"), _("Code"), _("Month"), _("Expected"), _("Collected"), _("Collection rate (%)"),
        _("Members behind"),
    ])
    for row in rows:
        sheet.append([
            escape_formula(row.organization.name), escape_formula(row.organization.code), f"{period:%Y-%m}",
            row.expected, row.collected, row.rate, row.members_behind,
        ])
    for cells in sheet.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in cells:
            cell.number_format = "0.00"
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
