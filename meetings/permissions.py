"""Who may schedule and run a meeting: the one rule every meeting view uses.

Liaison officers may schedule their branches' meetings (they read the roster but may not edit it);
those who manage a branch may too. Both come down to reading the organizing branch's roster.
"""

from branches.models import Organization
from members.scope import Scope


def can_run(scope: Scope, organization: Organization) -> bool:
    """Schedule, change, cancel, take attendance and keep the minutes of this organization's meetings."""
    return scope.can_read_roster(organization)


def schedulable_organizations(scope: Scope):
    return scope.roster_organizations()
