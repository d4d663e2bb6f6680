"""Reads of the points ledger: totals are derived from the entries."""

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from branches.models import Organization
from members.models import Member

from .models import PointEntry


def member_points_total(member: Member) -> int:
    """The member's total points, derived from the ledger (one query)."""
    return PointEntry.objects.filter(member=member).aggregate(n=Coalesce(Sum("amount"), 0))["n"]


def member_point_entries(member: Member) -> QuerySet[PointEntry]:
    """The member's ledger, newest first, with each entry's rule."""
    return PointEntry.objects.filter(member=member).select_related("rule").order_by("-awarded_at", "-pk")


def branch_ranking(organization: Organization, *, year: int | None = None) -> QuerySet[Member]:
    """The organization's members (its subtree), each with `points` (for `year`, or all time),
    highest first (one query). For information only: never a basis for appraisal."""
    entries = PointEntry.objects.filter(member=OuterRef("pk"))
    if year is not None:
        entries = entries.filter(awarded_on__year=year)
    total = entries.order_by().values("member").annotate(n=Sum("amount")).values("n")
    return (
        Member.objects.filter(organization__path__startswith=organization.path)
        .annotate(points=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)))
        .order_by("-points", "name", "pk")
    )
