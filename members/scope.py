"""The one place that decides what a user may see and manage.

Management positions (secretary, deputy, committee member, general-branch officer, county staff)
manage their organization's subtree. Liaison officers see their organizations' subtrees read-only.
A member sees their own branch's page but not its roster. Anything else is a 404.
"""

from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from branches.models import Organization

from .models import Member, Position, Transfer

MANAGING_KINDS = (*Position.COMMITTEE_KINDS, *Position.OVERSIGHT_KINDS)


def _subtree_q(paths: list[str], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


class Scope:
    def __init__(self, user):
        self.user = user

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    @cached_property
    def positions(self) -> list[Position]:
        if not self.is_authenticated:
            return []
        return list(Position.objects.active().filter(user=self.user).select_related("organization"))

    @cached_property
    def member(self) -> Member | None:
        if not self.is_authenticated:
            return None
        return (
            Member.objects.select_related("organization", "home_township", "work_place")
            .filter(user=self.user)
            .first()
        )

    @cached_property
    def managed_paths(self) -> list[str]:
        return sorted({p.organization.path for p in self.positions if p.kind in MANAGING_KINDS})

    @cached_property
    def roster_paths(self) -> list[str]:
        return sorted({p.organization.path for p in self.positions})

    @property
    def is_superuser(self) -> bool:
        return self.is_authenticated and self.user.is_superuser

    @property
    def is_officer(self) -> bool:
        return self.is_superuser or bool(self.positions)

    @property
    def is_overseer(self) -> bool:
        """County staff and general-branch officers, who oversee positions in their subtree."""
        return self.is_superuser or any(p.kind in Position.OVERSIGHT_KINDS for p in self.positions)

    # Organizations

    def managed_organizations(self) -> QuerySet[Organization]:
        if self.is_superuser:
            return Organization.objects.all()
        return Organization.objects.filter(_subtree_q(self.managed_paths))

    def roster_organizations(self) -> QuerySet[Organization]:
        """Organizations whose roster the user may read: managed ones and liaison ones."""
        if self.is_superuser:
            return Organization.objects.all()
        return Organization.objects.filter(_subtree_q(self.roster_paths))

    def visible_organizations(self) -> QuerySet[Organization]:
        """Organizations whose page the user may open: roster ones and their own branch."""
        if self.is_superuser:
            return Organization.objects.all()
        q = _subtree_q(self.roster_paths)
        if self.member is not None:
            q |= Q(pk=self.member.organization_id)
        return Organization.objects.filter(q)

    def _under(self, org: Organization, paths: list[str]) -> bool:
        return self.is_superuser or any(org.path.startswith(path) for path in paths)

    def can_manage(self, org: Organization) -> bool:
        return self._under(org, self.managed_paths)

    def can_read_roster(self, org: Organization) -> bool:
        return self._under(org, self.roster_paths)

    def can_view(self, org: Organization) -> bool:
        own_branch = self.member is not None and self.member.organization_id == org.pk
        return own_branch or self.can_read_roster(org)

    def can_oversee(self, org: Organization) -> bool:
        """Manage officer positions: only oversight roles, in their subtree."""
        oversight = [p.organization.path for p in self.positions if p.kind in Position.OVERSIGHT_KINDS]
        return self._under(org, oversight)

    # Members

    def members(self) -> QuerySet[Member]:
        """Roster entries the user may read."""
        if self.is_superuser:
            return Member.objects.all()
        return Member.objects.filter(_subtree_q(self.roster_paths, "organization__"))

    def managed_members(self) -> QuerySet[Member]:
        if self.is_superuser:
            return Member.objects.all()
        return Member.objects.filter(_subtree_q(self.managed_paths, "organization__"))

    def positions_visible(self) -> QuerySet[Position]:
        if self.is_superuser:
            return Position.objects.all()
        return Position.objects.filter(_subtree_q(self.roster_paths, "organization__"))

    # Fetching for views: an outsider gets a 404, never a 403.

    def organization_or_404(self, pk, *, need: str = "view") -> Organization:
        org = Organization.objects.filter(pk=pk).first()
        allowed = {"view": self.can_view, "roster": self.can_read_roster, "manage": self.can_manage}[need]
        if org is None or not allowed(org):
            raise Http404
        return org

    def member_or_404(self, pk) -> Member:
        member = self.members().select_related("organization").filter(pk=pk).first()
        if member is None:
            raise Http404
        return member


    # Membership transfers: the member, the officers on either side (liaison officers read only).

    def transfers(self) -> QuerySet[Transfer]:
        if self.is_superuser:
            return Transfer.objects.all()
        q = _subtree_q(self.roster_paths, "from_organization__")
        q |= _subtree_q(self.roster_paths, "to_organization__")
        if self.is_authenticated:
            q |= Q(member__user=self.user)
        return Transfer.objects.filter(q)

    def _acts_on(self, transfer: Transfer, org: Organization | None) -> bool:
        """Officers act on either side, never on their own transfer."""
        own = self.is_authenticated and transfer.member.user_id == self.user.pk
        return org is not None and not own and self.can_manage(org)

    def can_send(self, transfer: Transfer) -> bool:
        return self._acts_on(transfer, transfer.from_organization)

    def can_receive(self, transfer: Transfer) -> bool:
        return self._acts_on(transfer, transfer.to_organization)

    def transfer_or_404(self, pk) -> Transfer:
        transfer = (
            self.transfers()
            .select_related("member__user", "from_organization", "to_organization", "work_place")
            .filter(pk=pk).first()
        )
        if transfer is None:
            raise Http404
        return transfer


def scope_for(request) -> Scope:
    scope = getattr(request, "_scope", None)
    if scope is None or scope.user is not request.user:
        scope = request._scope = Scope(request.user)
    return scope
