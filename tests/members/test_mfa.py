"""Two-factor authentication for officers who manage members (members/security.py, allauth.mfa)."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ebranch.lib import crypto
from members.models import Position
from tests import factories
from tests.test_urls import EXPECTED

MFA_INDEX = reverse("mfa_index")
ADMIN = reverse("admin:index")
LIST = reverse("branches:list")
PHONE = "13812345678"

# Every position that manages members, and where the test officer holds it.
MANAGING = {
    Position.Kind.SECRETARY: "new_branch",
    Position.Kind.DEPUTY_SECRETARY: "branch",
    Position.Kind.COMMITTEE_MEMBER: "branch",
    Position.Kind.GENERAL_BRANCH_OFFICER: "general_branch",
    Position.Kind.COUNTY_STAFF: "county",
}


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters and used TOTP codes live in the cache."""
    cache.clear()
    yield
    cache.clear()


def officer(world, kind, *, totp=False, phone=""):
    """An officer of `kind` without an authenticator app unless `totp`; returns (user, organization)."""
    where = MANAGING.get(kind, "branch")
    if where == "new_branch":  # `branch` already has its secretary
        organization = factories.organization(parent=world.general_branch)
    else:
        organization = getattr(world, where)
    user = factories.user(name=f"{kind}", phone=phone)
    factories.position(user=user, organization=organization, kind=kind)
    if totp:
        factories.totp(user)
    return user, organization


def gated_urls(organization):
    return [
        ADMIN,
        reverse("admin:members_member_changelist"),
        reverse("admin:members_position_changelist"),
        LIST,
        reverse("branches:roster", args=[organization.pk]),
        reverse("verification:inbox"),
    ]


def login_with_password(client, login):
    return client.post(reverse("account_login"), {"login": login, "password": factories.TEST_PASSWORD})


# Who must have it


@pytest.mark.parametrize("kind", list(MANAGING))
def test_officer_without_an_authenticator_app_is_sent_to_set_one_up(en, world, kind):
    user, organization = officer(world, kind)
    en.force_login(user)
    for url in gated_urls(organization):
        response = en.get(url)
        assert response.status_code == 302 and response["Location"] == MFA_INDEX, url

    html = en.get(MFA_INDEX).content.decode()
    assert "Two-factor authentication is required" in html
    assert f'href="{reverse("mfa_activate_totp")}"' in html


@pytest.mark.parametrize("kind", list(MANAGING))
def test_officer_with_an_authenticator_app_reaches_the_admin_and_rosters(en, world, kind):
    user, organization = officer(world, kind, totp=True)
    en.force_login(user)
    for url in gated_urls(organization):
        assert en.get(url).status_code == 200, url
    assert "Two-factor authentication is required" not in en.get(MFA_INDEX).content.decode()


def test_superuser_needs_an_authenticator_app_too(en, world):
    root = factories.user()
    root.is_superuser = True
    root.save()
    en.force_login(root)
    assert en.get(ADMIN)["Location"] == MFA_INDEX
    factories.totp(root)
    assert en.get(ADMIN).status_code == 200


def test_every_admin_url_needs_the_authenticator_app(world):
    """The URL walk's admin rows, for a county officer without one: each sends them to set it up."""
    user, _ = officer(world, Position.Kind.COUNTY_STAFF)
    client = Client()
    client.force_login(user)
    admin_rows = {key: cases for key, cases in EXPECTED.items() if key.startswith("admin")}
    assert len(admin_rows) > 50
    for key, cases in admin_rows.items():
        for case in cases:
            url = case.url(world) if case.url else reverse(key, kwargs=case.kwargs(world))
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == MFA_INDEX, key


def test_unmasking_and_claim_photos_need_the_app(en, world):
    """Officer pages with personal data beyond the admin: the full ID number, the ID-card photos."""
    user, _ = officer(world, Position.Kind.SECRETARY)
    Position.objects.filter(user=world.secretary).update(ends_on="2020-12-31")
    Position.objects.filter(user=user).update(organization=world.branch)
    en.force_login(user)
    member = world.member.member
    for url in (reverse("reveal:member", args=[member.pk]), reverse("verification:photo", args=[1, "front"])):
        assert en.get(url)["Location"] == MFA_INDEX, url
    factories.totp(user)
    assert en.get(reverse("reveal:member", args=[member.pk])).status_code == 200


def test_liaison_officer_is_not_made_to_but_may(en, world):
    en.force_login(world.liaison)
    assert en.get(reverse("branches:roster", args=[world.branch.pk])).status_code == 200
    assert en.get(ADMIN).status_code == 200
    html = en.get(MFA_INDEX).content.decode()
    assert "Two-factor authentication is required" not in html
    assert f'href="{reverse("mfa_activate_totp")}"' in html


def test_member_is_not_affected(en, world):
    en.force_login(world.member)
    assert en.get(reverse("home")).status_code == 200
    assert en.get(ADMIN).status_code == 404  # not a page for members at all, as before


def test_ended_position_no_longer_requires_it(en, world):
    user, organization = officer(world, Position.Kind.DEPUTY_SECRETARY)
    Position.objects.filter(user=user).update(starts_on="2020-01-01", ends_on="2021-01-01")
    en.force_login(user)
    assert en.get(ADMIN).status_code == 404  # no longer an officer
    assert "Two-factor authentication is required" not in en.get(MFA_INDEX).content.decode()


# Setting it up


def test_officer_sets_up_the_app_and_gets_recovery_codes(en, world):
    user, organization = officer(world, Position.Kind.SECRETARY, phone=PHONE)
    login_with_password(en, PHONE)
    activate = reverse("mfa_activate_totp")
    response = en.get(activate)
    assert response["Location"].startswith(reverse("account_reauthenticate"))  # the password first
    en.post(reverse("account_reauthenticate"), {"password": factories.TEST_PASSWORD})
    response = en.get(activate)
    assert response.status_code == 200
    secret = en.session["mfa.totp.secret"]
    assert secret in response.content.decode()  # for those who cannot scan the QR code

    response = en.post(activate, {"code": "000000" if factories.totp_code(secret) != "000000" else "111111"})
    assert "Incorrect code." in response.content.decode()
    response = en.post(activate, {"code": factories.totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")

    response = en.get(response["Location"])
    codes = response.context["unused_codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert f'href="{ADMIN}"' in response.content.decode()  # and on to the admin
    assert en.get(ADMIN).status_code == 200

    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret and crypto.decrypt(stored) == secret  # encrypted at rest


def test_officer_who_must_have_it_cannot_turn_it_off(en, world):
    user, _ = officer(world, Position.Kind.COUNTY_STAFF, totp=True, phone=PHONE)
    login_with_password(en, PHONE)
    en.post(reverse("mfa_authenticate"), {"code": factories.totp_code()})
    en.post(reverse("account_reauthenticate"), {"password": factories.TEST_PASSWORD})
    deactivate = reverse("mfa_deactivate_totp")
    assert "cannot be turned off" in en.get(deactivate).content.decode()
    en.post(deactivate)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert en.get(ADMIN).status_code == 200


def test_liaison_officer_may_turn_it_off(en, world):
    world.liaison.set_phone(PHONE)
    world.liaison.save()
    factories.totp(world.liaison)
    login_with_password(en, PHONE)
    en.post(reverse("mfa_authenticate"), {"code": factories.totp_code()})
    en.post(reverse("account_reauthenticate"), {"password": factories.TEST_PASSWORD})
    en.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=world.liaison).exists()


# Signing in with it


@pytest.mark.parametrize("login", [PHONE, "officer@example.com"], ids=["phone", "email"])
def test_sign_in_asks_for_the_code_after_the_password(en, world, login):
    user = factories.user(email="officer@example.com", phone=PHONE)
    factories.position(user=user, organization=world.county, kind=Position.Kind.COUNTY_STAFF)
    factories.totp(user)

    response = login_with_password(en, login)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert en.get(reverse("home")).status_code == 302  # not signed in yet

    right = factories.totp_code()
    response = en.post(reverse("mfa_authenticate"), {"code": "123456" if right != "123456" else "654321"})
    assert response.status_code == 200 and "Incorrect code." in response.content.decode()
    assert en.get(reverse("home")).status_code == 302

    response = en.post(reverse("mfa_authenticate"), {"code": right})
    assert response.status_code == 302 and response["Location"] == "/"
    assert en.get(ADMIN).status_code == 200


def test_a_code_works_once(en, world):
    user = factories.user(phone=PHONE)
    factories.position(user=user, organization=world.county, kind=Position.Kind.COUNTY_STAFF)
    factories.totp(user)
    code = factories.totp_code()
    login_with_password(en, PHONE)
    en.post(reverse("mfa_authenticate"), {"code": code})
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_with_password(other, PHONE)
    response = other.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code." in response.content.decode()


def test_sign_in_accepts_a_recovery_code_once(en, world):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = factories.user(phone=PHONE)
    factories.position(user=user, organization=world.county, kind=Position.Kind.COUNTY_STAFF)
    factories.totp(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    login_with_password(en, PHONE)
    assert en.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/"
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_with_password(other, PHONE)
    assert "Incorrect code." in other.post(reverse("mfa_authenticate"), {"code": code}).content.decode()


def test_member_signs_in_with_the_password_alone(en, world):
    factories.user(phone=PHONE)
    response = login_with_password(en, PHONE)
    assert response["Location"] == "/"


# The security page


def test_security_page_is_for_signed_in_users(client, world):
    response = client.get(MFA_INDEX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_security_page_links_devices_and_password(en, world, django_assert_num_queries):
    en.force_login(world.secretary)
    # user (session is cached), positions (scope), authenticators (the page), authenticators again
    # (allauth's is_mfa_enabled), member (navigation), the unread count (header)
    with django_assert_num_queries(6):
        response = en.get(MFA_INDEX)
    html = response.content.decode()
    assert f'href="{reverse("usersessions_list")}"' in html
    assert f'href="{reverse("account_change_password")}"' in html
    assert "Your position requires it, so it cannot be turned off." in html
    assert f'href="{reverse("mfa_deactivate_totp")}"' not in html


def test_navigation_links_the_security_page(en, world):
    en.force_login(world.member)
    assert f'href="{MFA_INDEX}"' in en.get(reverse("home")).content.decode()


# Confirming access again (before setting up or turning off the app)


def test_reauthentication_offers_no_code_by_sms_or_email(en, world):
    factories.user(phone=PHONE)  # a phone the adapter reports as verified
    login_with_password(en, PHONE)
    html = en.get(reverse("account_reauthenticate")).content.decode()
    assert 'name="password"' in html
    assert reverse("account_request_reauthentication_code") not in html
    assert en.get(reverse("account_request_reauthentication_code")).status_code == 403


def test_reauthentication_offers_the_app_to_those_who_have_it(en, world):
    user, _ = officer(world, Position.Kind.COUNTY_STAFF, totp=True, phone=PHONE)
    login_with_password(en, PHONE)
    en.post(reverse("mfa_authenticate"), {"code": factories.totp_code()})
    html = en.get(reverse("account_reauthenticate")).content.decode()
    assert reverse("mfa_reauthenticate") in html
    assert reverse("account_request_reauthentication_code") not in html
