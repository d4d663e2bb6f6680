"""Bills made directly, for the payment tests."""

from decimal import Decimal

from dues.models import Bill
from ebranch.lib.months import month_add, this_month


def bill(member, *, months_back=0, amount="15.00") -> Bill:
    return Bill.objects.create(
        member=member, organization_id=member.organization_id, period=month_add(this_month(), -months_back),
        amount=Decimal(amount),
    )
