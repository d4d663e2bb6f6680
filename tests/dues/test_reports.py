import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from branches.models import Organization
from dues.models import Bill, Payment
from dues.reports import (
    arrears_list,
    branch_report,
    collection_rate,
    county_overview,
    overview_totals,
    overview_xlsx,
)
from tests import factories

OCT = datetime.date(2026, 10, 1)
SEP = datetime.date(2026, 9, 1)
AUG = datetime.date(2026, 8, 1)
D = Decimal
_receipts = iter(range(1, 10_000))


def bill(member, period, amount, *, paid=False):
    payment = None
    if paid:
        payment = Payment.objects.create(
            member=member, organization=member.organization, amount=D(amount), method=Payment.Method.CASH,
            receipt_number=f"T-{next(_receipts):06d}", receipt_check="x",
        )
    return Bill.objects.create(
        member=member, organization=member.organization, period=period, amount=D(amount),
        status=Bill.Status.PAID if paid else Bill.Status.UNPAID, payment=payment,
    )


@pytest.fixture
def dataset(world):
    """Branch: three members. October: 15.00 paid, 30.00 paid, 0.20 unpaid; expected 45.20, collected
    45.00, rate 99.6%. 0.20 is unpaid since August (3 months, 0.60); 30.00 has September unpaid."""
    a, b, c = (factories.member(organization=world.branch, name=n) for n in ("甲", "乙", "丙"))
    bill(a, OCT, "15.00", paid=True)
    bill(b, OCT, "30.00", paid=True)
    bill(c, OCT, "0.20")
    bill(c, SEP, "0.20")
    bill(c, AUG, "0.20")
    bill(b, SEP, "30.00")
    bill(a, SEP, "15.00", paid=True)
    other = factories.member(organization=world.other_branch, name="丁")
    bill(other, OCT, "33.33", paid=True)
    bill(other, SEP, "33.33")
    bill(c, datetime.date(2026, 11, 1), "0.20")  # after the report's month: not counted
    return a, b, c


def test_branch_month_sums_are_exact(world, dataset):
    report = branch_report(world.branch, OCT)
    assert report.expected == D("45.20") and isinstance(report.expected, Decimal)
    assert report.collected == D("45.00")
    assert report.outstanding == D("0.20")
    assert report.rate == D("99.6")
    assert (str(report.expected), str(report.collected)) == ("45.20", "45.00")  # two places, as stored


def test_arrears_list_counts_unpaid_months_up_to_the_month(world, dataset):
    a, b, c = dataset
    rows = arrears_list(world.branch, OCT)
    assert [(r.name, r.months, r.amount, r.since) for r in rows] == [
        ("丙", 3, D("0.60"), AUG),
        ("乙", 1, D("30.00"), SEP),
    ]
    assert branch_report(world.branch, SEP).members_behind == 2
    assert arrears_list(world.branch, AUG)[0].months == 1


def test_a_month_without_bills_has_no_rate(world):
    report = branch_report(world.branch, OCT)
    assert report.expected == report.collected == D("0.00")
    assert report.rate is None and report.arrears == []


def test_rate_rounds_half_up_to_one_place():
    assert collection_rate(D("3"), D("2")) == D("66.7")
    assert collection_rate(D("8"), D("1")) == D("12.5")  # exactly 12.5
    assert collection_rate(D("1600"), D("2")) == D("0.1")  # 0.125 → 0.1
    assert collection_rate(D("800"), D("1")) == D("0.1")  # 0.125
    assert collection_rate(D("2000"), D("1")) == D("0.1")  # 0.05 → 0.1, half up
    assert collection_rate(D("0"), D("0")) is None


def test_county_overview_all_branches_lowest_rate_first(world, dataset, django_assert_num_queries):
    empty = factories.organization(parent=world.general_branch, name="空支部", code="LY-YD-G-03")
    organizations = Organization.objects.filter(path__startswith=world.county.path)
    # 1. branches, 2. the month's sums per branch, 3. members behind per branch
    with django_assert_num_queries(3):
        rows = county_overview(organizations, OCT)
    by_name = {r.organization.name: r for r in rows}
    assert set(by_name) == {world.branch.name, world.other_branch.name, empty.name}
    ours = by_name[world.branch.name]
    assert (ours.expected, ours.collected) == (D("45.20"), D("45"))
    assert by_name[world.branch.name].members_behind == 2
    assert by_name[world.other_branch.name].rate == D("100.0")
    assert by_name[world.other_branch.name].members_behind == 1  # September
    assert by_name[empty.name].rate is None
    assert rows[-1].organization == empty  # no rate: last
    total = overview_totals(rows)
    assert (total.expected, total.collected, total.rate) == (D("78.53"), D("78.33"), D("99.7"))


def test_county_overview_queries_do_not_grow_with_branches(world, dataset, django_assert_num_queries):
    for i in range(5):
        branch = factories.organization(parent=world.general_branch, name=f"支部{i}", code=f"LY-YD-G-1{i}")
        bill(factories.member(organization=branch), OCT, "1.00")
    with django_assert_num_queries(3):
        rows = county_overview(Organization.objects.all(), OCT)
    assert len(rows) == 7


def test_overview_xlsx_has_numbers_and_escaped_text(world, dataset):
    world.branch.name = "=HYPERLINK(\"http://x\")"
    world.branch.save()
    rows = county_overview(Organization.objects.all(), OCT)
    with translation.override("en"):
        sheet = load_workbook(BytesIO(overview_xlsx(rows, OCT))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:6] == ("Branch", "Code", "Month", "Expected", "Collected", "Collection rate (%)")
    row = next(v for v in values[1:] if v[1] == world.branch.code)
    assert row[0] == "'=HYPERLINK(\"http://x\")"
    assert row[2:] == ("2026-10", 45.2, 45, 99.6, 2)
