"""Officer account security: who must use two-factor authentication, where, and the idle clock.

Officers who manage members (committee and oversight positions) and superusers must have an
authenticator app (TOTP, allauth.mfa) before they open the admin or a roster. Liaison officers and
members may turn it on but are not made to.
"""

import time

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ebranch.lib import crypto

from .scope import Scope

# Pages that need two-factor authentication from officers who must have it: URL names, or namespaces
# written with their colon. Officer pages that show member data belong here.
MFA_GATED_VIEWS = (
    "admin:",
    "branches:list",
    "branches:roster",
    "verification:inbox",
    "verification:detail",
    "verification:photo",
    "reveal:",
    "meetings:sheet",
    "compliance:member_attendance",
    "dues_reports:branch",
    "dues:bases",
    "dues:member",
    "dues_pay:offline",
    "transfers:",
    "votes:create",
    "votes:edit",
    "votes:open",
    "votes:close",
    "votes:publish",
)

# Session key of an officer's last request, in epoch seconds; written at most once a minute.
LAST_SEEN_KEY = "officer_last_seen"
LAST_SEEN_RESOLUTION = 60


def clock() -> float:
    """The idle clock; tests patch this one function."""
    return time.time()


@receiver(user_logged_in, dispatch_uid="members.security.last_seen_at_login")
def last_seen_at_login(sender, request, user, **kwargs) -> None:
    """Signing in is activity: the idle clock starts here, without a session write on the next page."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(clock())


def mfa_required_for(user, scope: Scope | None = None) -> bool:
    if not user.is_authenticated:
        return False
    scope = scope if scope is not None else Scope(user)
    return scope.is_superuser or bool(scope.managed_paths)


def has_mfa(user) -> bool:
    """An active authenticator app: recovery codes alone do not count."""
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def mfa_gated(view_name: str | None) -> bool:
    if not view_name:
        return False
    return any(
        view_name.startswith(gate) if gate.endswith(":") else view_name == gate for gate in MFA_GATED_VIEWS
    )


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest with the personal-data keys; officers
    who must have two-factor authentication cannot turn it off."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

