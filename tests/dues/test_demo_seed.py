import re
from decimal import Decimal

from branches import demo_data
from dues import demo_seed
from dues.models import Bill, Payment, YearlyBase
from ebranch.lib.months import month_add, this_month
from members.models import Member
from tests import factories


def test_seed_gives_members_a_year_of_bills_and_changes_nothing_the_second_time(world):
    demo_branch = factories.organization(parent=world.general_branch, code=demo_data.DEMO_BRANCH_CODE)
    for n in range(12):
        factories.member(organization=demo_branch, name=f"党员{n}")
    created = {}
    demo_seed.seed(created)
    with_account = Member.objects.filter(user__isnull=False).count()
    assert created["dues bases"] == YearlyBase.objects.count() == with_account + 12  # all: fewer than 300
    current = this_month()
    member = Member.objects.get(user=world.member)
    assert list(member.dues_bills.order_by("period").values_list("period", flat=True))[-1] == current
    for bill in Bill.objects.select_related("payment"):
        assert (bill.status == Bill.Status.PAID) == (bill.payment is not None)
        if bill.payment:
            assert bill.payment.amount == bill.amount and bill.payment.member_id == bill.member_id
    assert created["dues payments"] == Payment.objects.count() > 0
    numbers = list(Payment.objects.values_list("receipt_number", flat=True))
    assert all(re.fullmatch(r"YD-20\d\d-\d{6}", n) for n in numbers) and len(set(numbers)) == len(numbers)
    amounts = YearlyBase.objects.values_list("category", "monthly_amount")
    assert all(a == a.quantize(Decimal("0.01")) and a > 0 for _c, a in amounts)
    # Members of the demo branch are 3 or more months behind, one of them 7.
    behind = Bill.objects.filter(
        status="unpaid", period__lt=month_add(current, -2), organization=demo_branch
    )
    assert behind.values("member").distinct().count() == len(demo_seed.BEHIND)
    assert behind.filter(period__lte=month_add(current, -7)).exists()

    before = (Bill.objects.count(), Payment.objects.count(), YearlyBase.objects.count())
    again = {}
    demo_seed.seed(again)
    assert not any(again.values())
    assert (Bill.objects.count(), Payment.objects.count(), YearlyBase.objects.count()) == before
