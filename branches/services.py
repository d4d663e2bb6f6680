"""Writes and rules for the organization tree."""

from django.db import transaction
from django.db.models import Count, Q

from .models import Organization, Township, WorkPlace


def branch_suggest(*, work_place: WorkPlace | None, home_township: Township | None) -> Organization | None:
    """The branch a member should join: same work place first, then the home township or a neighbour."""
    return branch_candidates(work_place=work_place, home_township=home_township).first()


def branch_candidates(*, work_place: WorkPlace | None, home_township: Township | None):
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    takes_township = Q(pk__in=[])
    near_township = Q(pk__in=[])
    if home_township is not None:
        takes_township = Q(home_townships=home_township)
        near_township = Q(home_townships__in=home_township.neighbours.all())
    serves = Q(work_places=work_place) if work_place is not None else Q(pk__in=[])
    ranked = branches.annotate(
        serves=Count("pk", filter=serves, distinct=True),
        takes=Count("home_townships", filter=takes_township, distinct=True),
        near=Count("home_townships", filter=near_township, distinct=True),
    ).filter(Q(serves__gt=0) | Q(takes__gt=0) | Q(near__gt=0))
    return ranked.order_by("-serves", "-takes", "-near", "code")


@transaction.atomic
def organization_create(
    *, parent: Organization | None, name: str, kind: str, code: str, actor=None, **fields
) -> Organization:
    node = Organization(name=name, kind=kind, code=code, **fields)
    node.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Organization.objects.add_root(instance=node)
    return Organization.objects.add_child(parent, instance=node)
