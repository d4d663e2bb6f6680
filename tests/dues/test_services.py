import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dues import services
from dues.models import BaseChange, Bill, YearlyBase
from members.models import Member
from tests import factories

YEAR = 2026


def _declare(user, base="4000.00", category="employed", **kw):
    return services.base_declare(
        actor=user, member=user.member, year=YEAR, category=category, declared_base=D(base), **kw
    )


def test_member_declares_and_officer_approves(world):
    yearly = _declare(world.member)
    assert yearly.status == YearlyBase.Status.DECLARED
    assert yearly.monthly_amount == D("40.00")
    yearly = services.base_approve(actor=world.secretary, yearly_base=yearly)
    assert (yearly.status, yearly.base, yearly.monthly_amount) == ("approved", D("4000.00"), D("40.00"))
    assert yearly.approved_by == world.secretary
    with pytest.raises(ValidationError):
        _declare(world.member, base="1000")


def test_officer_adjusts_the_base(world):
    yearly = _declare(world.member, base="3000.00")
    yearly = services.base_approve(actor=world.secretary, yearly_base=yearly, base=D("3000.01"))
    assert yearly.declared_base == D("3000.00")
    assert (yearly.base, yearly.monthly_amount) == (D("3000.01"), D("30.00"))


def test_only_the_members_officers_approve(world):
    yearly = _declare(world.member)
    for outsider in (world.member, world.other_secretary, world.liaison):
        with pytest.raises(PermissionDenied):
            services.base_approve(actor=outsider, yearly_base=yearly)


def test_probationary_member_owes_from_the_month_accepted(world):
    user = factories.user(name="新党员")
    factories.member(
        organization=world.branch, user=user, name="新党员", status=Member.Status.PROBATIONARY,
        joined_party_on=datetime.date(YEAR, 5, 20),
    )
    yearly = services.base_approve(actor=world.secretary, yearly_base=_declare(user, base="2000"))
    assert yearly.owes_from == datetime.date(YEAR, 5, 1)
    assert services.bills_generate(period=datetime.date(YEAR, 4, 1)) == 0
    assert services.bills_generate(period=datetime.date(YEAR, 5, 1)) == 1
    assert Bill.objects.get().amount == D("10.00")


def test_bills_generate_is_idempotent(world):
    for user, base in ((world.member, "4000"), (world.secretary, "12000"), (world.other_member, "3000")):
        services.base_approve(
            actor=world.secretary if user.member.organization == world.branch else world.other_secretary,
            yearly_base=_declare(user, base=base),
        )
    _declare(world.other_secretary)  # declared, not approved: owes no bill yet
    period = datetime.date(YEAR, 3, 1)
    assert services.bills_generate(period=period) == 3
    assert services.bills_generate(period=period) == 0
    bills = {b.member.user: b for b in Bill.objects.select_related("member__user")}
    assert bills[world.member].amount == D("40.00")
    assert bills[world.secretary].amount == D("240.00")
    assert bills[world.other_member].organization == world.other_branch
    assert all(b.status == "unpaid" and b.period == period for b in bills.values())
    # Another year's base makes no bills this year.
    assert services.bills_generate(period=datetime.date(YEAR + 1, 1, 1)) == 0


def test_mid_year_change_by_officer_with_reason(world):
    yearly = services.base_approve(actor=world.secretary, yearly_base=_declare(world.member))
    services.bills_generate(period=datetime.date(YEAR, 6, 1))
    services.bills_generate(period=datetime.date(YEAR, 7, 1))
    with pytest.raises(PermissionDenied):
        services.base_change(
            actor=world.member, yearly_base=yearly, new_amount=D("1"), from_month=datetime.date(YEAR, 7, 1),
            reason="less",
        )
    with pytest.raises(ValidationError):
        services.base_change(
            actor=world.secretary, yearly_base=yearly, new_amount=D("1"),
            from_month=datetime.date(YEAR, 7, 1), reason=" ",
        )
    change = services.base_change(
        actor=world.secretary, yearly_base=yearly, new_amount=D("20"), from_month=datetime.date(YEAR, 7, 9),
        reason="Lost the job in July",
    )
    assert (change.old_amount, change.new_amount, change.from_month) == (D("40.00"), D("20.00"),
                                                                        datetime.date(YEAR, 7, 1))
    services.bills_generate(period=datetime.date(YEAR, 8, 1))
    amounts = dict(Bill.objects.values_list("period__month", "amount"))
    assert amounts == {6: D("40.00"), 7: D("20.00"), 8: D("20.00")}
    assert BaseChange.objects.count() == 1
