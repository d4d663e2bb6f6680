"""Reads of the organization tree, each in a fixed number of queries."""

from .models import Organization


def organization_parent(org: Organization) -> Organization | None:
    """The organization above, e.g. the general branch of a branch (one query, none for a root)."""
    return Organization.objects.get_parent(org)


def organization_ancestors(org: Organization) -> list[Organization]:
    """The organizations above, from the root down (one query, none for a root)."""
    return list(Organization.objects.get_ancestors(org))


def organization_children(org: Organization) -> list[Organization]:
    """The organizations directly under it (one query, none for a leaf)."""
    return list(Organization.objects.get_children(org))
