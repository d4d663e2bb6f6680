"""members/security.py: who must use two-factor authentication, on which pages, and the MFA adapter."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from members.models import Position
from members.security import MFAAdapter, has_mfa, mfa_gated, mfa_required_for
from members.templatetags.security import device
from tests import factories


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        (Position.Kind.SECRETARY, True),
        (Position.Kind.DEPUTY_SECRETARY, True),
        (Position.Kind.COMMITTEE_MEMBER, True),
        (Position.Kind.GENERAL_BRANCH_OFFICER, True),
        (Position.Kind.COUNTY_STAFF, True),
        (Position.Kind.LIAISON_OFFICER, False),
    ],
)
def test_mfa_is_required_for_positions_that_manage_members(world, kind, required):
    user = factories.user()
    organization = factories.organization(parent=world.general_branch)
    factories.position(user=user, organization=organization, kind=kind)
    assert mfa_required_for(user) is required


def test_mfa_is_not_required_for_members_anonymous_or_past_officers(world):
    assert not mfa_required_for(world.member)
    assert not mfa_required_for(AnonymousUser())
    Position.objects.filter(user=world.secretary).update(ends_on="2020-12-31")
    assert not mfa_required_for(world.secretary)


def test_mfa_is_required_for_superusers(db):
    root = factories.user()
    root.is_superuser = True
    assert mfa_required_for(root)


def test_only_an_authenticator_app_counts(world):
    user = factories.user()
    RecoveryCodes.activate(user)
    assert not has_mfa(user)
    factories.totp(user)
    assert has_mfa(user)


@pytest.mark.parametrize(
    ("view_name", "gated"),
    [
        ("admin:index", True),
        ("admin:members_member_changelist", True),
        ("admin:javascript-catalog", True),
        ("branches:list", True),
        ("branches:roster", True),
        ("verification:inbox", True),
        ("verification:detail", True),
        ("verification:photo", True),
        ("reveal:member", True),
        ("verification:claim", False),
        ("verification:status", False),
        ("branches:detail", False),
        ("home", False),
        ("mfa_index", False),
        ("mfa_activate_totp", False),
        ("administration", False),
        (None, False),
    ],
)
def test_gated_pages(view_name, gated):
    assert mfa_gated(view_name) is gated


def test_authenticator_secrets_are_encrypted_and_survive_a_key_rotation(db, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    user = factories.user()
    stored = factories.totp(user).data["secret"]
    assert stored != factories.TOTP_SECRET
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert MFAAdapter().decrypt(stored) == factories.TOTP_SECRET
    seed = RecoveryCodes.activate(user).instance.data["seed"]
    assert MFAAdapter().decrypt(seed) != seed


def test_required_officers_cannot_delete_their_app_others_can(world):
    adapter = MFAAdapter()
    secretary_app = Authenticator.objects.get(user=world.secretary, type=Authenticator.Type.TOTP)
    assert not adapter.can_delete_authenticator(secretary_app)
    assert adapter.can_delete_authenticator(factories.totp(world.liaison))
    assert adapter.can_delete_authenticator(factories.totp(world.member))


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (
            "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.47",
            "WeChat · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "Firefox · Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36",
            "Chrome · macOS",
        ),
        ("", "Unknown browser"),
        ("curl/8.4.0", "Unknown browser"),
    ],
)
def test_device_names_the_browser_and_system(user_agent, shown):
    with translation.override("en"):
        assert device(user_agent) == shown


def test_device_names_are_translated():
    with translation.override("zh-hans"):
        assert device("") == "未知浏览器"

