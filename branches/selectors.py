"""Reads for the organization pages, each in a fixed number of queries.

`members` sits above `branches` (DESIGN.md), so its models are looked up by name, not imported.
"""

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Organization


def _model(name: str):
    return apps.get_model("members", name)


def organization_parent(org: Organization) -> Organization | None:
    """The organization above, e.g. the general branch of a branch (one query, none for a root)."""
    return Organization.objects.get_parent(org)


def organization_ancestors(org: Organization) -> list[Organization]:
    """The organizations above, from the root down (one query, none for a root)."""
    return list(Organization.objects.get_ancestors(org))


def organization_children(org: Organization) -> list[Organization]:
    """The organizations directly under it (one query, none for a leaf)."""
    return list(Organization.objects.get_children(org))


def organization_officers(org: Organization) -> list:
    """The organization's active officer positions with their accounts, in committee order (one query)."""
    Position = _model("Position")
    order = list(Position.Kind.values)
    positions = Position.objects.active().filter(organization=org).select_related("user")
    return sorted(positions, key=lambda p: (order.index(p.kind), p.starts_on, p.pk))


def organization_member_counts(org: Organization) -> dict[str, int]:
    """Full and probationary members in the organization's subtree (one query)."""
    Member = _model("Member")
    counts = Member.objects.filter(organization__path__startswith=org.path).aggregate(
        full=Count("pk", filter=Q(status=Member.Status.FULL)),
        probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
    )
    counts["total"] = counts["full"] + counts["probationary"]
    return counts


def _subtree_count(**filters) -> Coalesce:
    members = (
        _model("Member").objects.filter(organization__path__startswith=OuterRef("path"), **filters)
        .order_by()
        .values(group=Value(1))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def organizations_with_counts(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    """Organizations in tree order, each with `full` and `probationary` subtree counts (one query)."""
    Member = _model("Member")
    return organizations.annotate(
        full=_subtree_count(status=Member.Status.FULL),
        probationary=_subtree_count(status=Member.Status.PROBATIONARY),
    ).order_by("path")


def roster_members(scope, org: Organization, *, query: str = "") -> QuerySet:
    """Members of the organization's subtree that the scope may read, optionally searched by name."""
    members = (
        scope.members()
        .filter(organization__path__startswith=org.path)
        .select_related("organization", "home_township", "work_place")
        .order_by("name", "pk")
    )
    if query:
        members = members.filter(name__icontains=query)
    return members
