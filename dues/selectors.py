"""Shared reads for the dues pages; callers pass members already limited by the scope."""

from django.db.models import QuerySet

from members.transfer_dues import DuesStanding, UnpaidMonth

from .models import Bill, YearlyBase


def bills_unpaid(member) -> QuerySet[Bill]:
    return Bill.objects.filter(member=member, status=Bill.Status.UNPAID).order_by("period")


def bills_paid(member) -> QuerySet[Bill]:
    return (
        Bill.objects.filter(member=member, status=Bill.Status.PAID)
        .select_related("payment").order_by("-period")
    )


def bases_waiting(members) -> QuerySet[YearlyBase]:
    return (
        YearlyBase.objects.filter(member__in=members, status=YearlyBase.Status.DECLARED)
        .select_related("member__organization").order_by("member__organization__path", "member__name")
    )


def dues_standing(member) -> DuesStanding | None:
    """For transfers: paid up to the last month paid before the first unpaid one, and every unpaid bill.

    None when the member has no bills at all (no dues records kept here). One query."""
    bills = list(
        Bill.objects.filter(member=member).select_related("organization")
        .order_by("period").only("period", "amount", "status", "organization__name")
    )
    if not bills:
        return None
    unpaid = [bill for bill in bills if bill.status == Bill.Status.UNPAID]
    first_gap = unpaid[0].period if unpaid else None
    paid = [
        b.period for b in bills
        if b.status == Bill.Status.PAID and (first_gap is None or b.period < first_gap)
    ]
    return DuesStanding(
        paid_up_to=paid[-1] if paid else None,
        unpaid=tuple(UnpaidMonth(b.period, b.amount, b.organization.name) for b in unpaid),
    )
