"""Reads of member records shared by pages, each in a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from branches.models import Organization
from branches.selectors import organization_ancestors

from .models import Member, Position


def organization_officers(org: Organization) -> list:
    """The organization's active officer positions with their accounts, in committee order (one query)."""
    order = list(Position.Kind.values)
    positions = Position.objects.active().filter(organization=org).select_related("user")
    return sorted(positions, key=lambda p: (order.index(p.kind), p.starts_on, p.pk))


def organization_managers(org: Organization) -> list:
    """Accounts that act for the organization: its active committee (secretary, deputy, committee
    members). Without one, the overseers of the nearest organization above that has them."""
    positions = (
        Position.objects.active()
        .filter(organization__in=[org, *organization_ancestors(org)],
                kind__in=Position.COMMITTEE_KINDS + Position.OVERSIGHT_KINDS)
        .select_related("user", "organization")
    )
    by_depth: dict[int, list] = {}
    for position in positions:
        if position.organization_id == org.pk and position.kind not in Position.COMMITTEE_KINDS:
            continue
        by_depth.setdefault(position.organization.depth, []).append(position.user)
    if not by_depth:
        return []
    return list({user.pk: user for user in by_depth[max(by_depth)]}.values())


def organization_member_counts(org: Organization) -> dict[str, int]:
    """Full and probationary members in the organization's subtree (one query)."""
    counts = Member.objects.filter(organization__path__startswith=org.path).aggregate(
        full=Count("pk", filter=Q(status=Member.Status.FULL)),
        probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
    )
    counts["total"] = counts["full"] + counts["probationary"]
    return counts


def _subtree_count(**filters) -> Coalesce:
    members = (
        Member.objects.filter(organization__path__startswith=OuterRef("path"), **filters)
        .order_by()
        .values(group=Value(1))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def organizations_with_counts(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    """Organizations in tree order, each with `full` and `probationary` subtree counts (one query)."""
    return organizations.annotate(
        full=_subtree_count(status=Member.Status.FULL),
        probationary=_subtree_count(status=Member.Status.PROBATIONARY),
    ).order_by("path")


def _in_subtree(org: Organization) -> Q:
    # A leaf filters by the organization itself, so the (organization, name) index gives the order.
    return Q(organization=org) if org.numchild == 0 else Q(organization__path__startswith=org.path)


def roster_members(scope, org: Organization, *, query: str = "") -> QuerySet:
    """Members of the organization's subtree that the scope may read, optionally searched by name."""
    members = (
        scope.members()
        .filter(_in_subtree(org))
        .select_related("organization", "home_township", "work_place")
        .order_by("name", "pk")
    )
    if query:
        members = members.filter(name__icontains=query)
    return members


def transferred_out(user) -> Member | None:
    """The account's member record when the membership moved to an organization outside the portal."""
    if not user.is_authenticated:
        return None
    return Member.records.filter(user=user, left_on__isnull=False).first()
