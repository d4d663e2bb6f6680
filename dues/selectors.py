"""Shared reads for the dues pages; callers pass members already limited by the scope."""

from django.db.models import QuerySet

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
