"""What transfers learn about a member's dues (dues.selectors.dues_standing, registered with
members.transfer_dues): paid up to the last month before the first unpaid one, and every unpaid bill."""

import datetime
from decimal import Decimal

import pytest

from dues import selectors
from dues.models import Bill
from dues.payments import payment_record_offline
from members import transfer_dues
from members.transfer_dues import DuesStanding, UnpaidMonth

d = datetime.date


def bills(member, months, *, amount="15.00", organization=None):
    return {
        month: Bill.objects.create(
            member=member, organization=organization or member.organization, period=d(2026, month, 1),
            amount=Decimal(amount),
        )
        for month in months
    }


def pay(world, member, *made):
    payment_record_offline(
        actor=world.secretary, member=member, bills=list(made), amount=sum(b.amount for b in made),
        method="cash", reference="收据 001",
    )


@pytest.fixture
def member(world):
    return world.member.member


def test_the_dues_app_provides_the_standing_to_transfers():
    assert transfer_dues._provider is selectors.dues_standing


def test_no_bills_means_no_dues_records(member):
    assert transfer_dues.dues_standing(member) is None


def test_all_paid_is_paid_up_to_the_last_month(world, member):
    made = bills(member, (1, 2, 3))
    pay(world, member, *made.values())

    standing = transfer_dues.dues_standing(member)

    assert standing == DuesStanding(paid_up_to=d(2026, 3, 1), unpaid=())
    assert standing.unpaid_total == Decimal("0.00")


def test_paid_up_to_stops_before_the_first_unpaid_month(world, member):
    made = bills(member, (1, 2, 3, 4, 5), amount="20.50")
    pay(world, member, made[1], made[2], made[4])

    standing = transfer_dues.dues_standing(member)

    assert standing.paid_up_to == d(2026, 2, 1)  # April was paid, but March is not
    assert standing.unpaid == (
        UnpaidMonth(d(2026, 3, 1), Decimal("20.50"), "厦门第一支部"),
        UnpaidMonth(d(2026, 5, 1), Decimal("20.50"), "厦门第一支部"),
    )
    assert standing.unpaid_total == Decimal("41.00")


def test_nothing_paid_leaves_paid_up_to_unknown(member):
    bills(member, (1, 2))

    standing = transfer_dues.dues_standing(member)

    assert standing.paid_up_to is None and len(standing.unpaid) == 2
    assert standing.unpaid_total == Decimal("30.00")


def test_unpaid_bills_name_the_branch_that_billed_them(world, member):
    bills(member, (1,), organization=world.other_branch)
    bills(member, (2,))

    standing = transfer_dues.dues_standing(member)

    assert [month.organization_name for month in standing.unpaid] == ["深圳第一支部", "厦门第一支部"]


def test_other_members_bills_do_not_count(world, member):
    bills(world.other_member.member, (1, 2))

    assert transfer_dues.dues_standing(member) is None


def test_one_query(world, member, django_assert_num_queries):
    made = bills(member, (1, 2, 3))
    pay(world, member, made[1])

    # 1. the member's bills with their organizations' names
    with django_assert_num_queries(1):
        standing = transfer_dues.dues_standing(member)
    assert standing.paid_up_to == d(2026, 1, 1)
