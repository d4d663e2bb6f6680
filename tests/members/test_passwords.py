"""Passwords: the rules at sign-up and change, the hasher, and sign-in through allauth with its rate limits
(the admin's own login included)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ebranch import settings as project_settings
from members.models import User, digest_phone
from tests import factories
from tests.ebranch.test_settings import settings_under

ROOT = Path(__file__).resolve().parents[2]
SIGNUP = reverse("account_signup")
CHANGE = reverse("account_change_password")
LOGIN = reverse("account_login")
PHONE = "13812345678"
SHORT = "qz8#Lm2!x"  # 9 characters, not a common password
COMMON = "password1234"

MESSAGES = {
    "en": {
        "short": "This password is too short. It must contain at least 10 characters.",
        "common": "This password is too common.",
        "rate_limited": "Too many failed login attempts. Try again later.",
    },
    "zh-hans": {
        "short": "密码太短，至少需要 10 个字符。",
        "common": "这个密码太常见了。",
        "rate_limited": "登录失败次数过多，请稍后重试。",
    },
}


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


def client_in(language: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(error) for field_errors in form.errors.values() for error in field_errors)


def sign_up(client, password):
    data = {"phone": PHONE, "email": "new@example.com", "password1": password, "password2": password}
    return client.post(SIGNUP, data)


def change(client, password):
    data = {"oldpassword": factories.TEST_PASSWORD, "password1": password, "password2": password}
    return client.post(CHANGE, data)


# The rules


@pytest.mark.parametrize(
    ("language", "password", "message"),
    [
        ("en", SHORT, "short"),
        ("en", COMMON, "common"),
        pytest.param("zh-hans", SHORT, "short"),
        ("zh-hans", COMMON, "common"),
    ],
)
def test_sign_up_refuses_short_and_common_passwords_in_the_users_language(db, language, password, message):
    response = sign_up(client_in(language), password)
    assert response.status_code == 200
    assert MESSAGES[language][message] in errors_of(response)
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize(
    ("language", "password", "message"),
    [
        ("en", SHORT, "short"),
        ("en", COMMON, "common"),
        pytest.param("zh-hans", SHORT, "short"),
        ("zh-hans", COMMON, "common"),
    ],
)
def test_password_change_refuses_short_and_common_passwords(world, language, password, message):
    client = client_in(language)
    client.force_login(world.member)
    response = change(client, password)
    assert response.status_code == 200
    assert MESSAGES[language][message] in errors_of(response)
    world.member.refresh_from_db()
    assert world.member.check_password(factories.TEST_PASSWORD)


def test_ten_characters_that_are_not_common_are_enough(world):
    response = sign_up(client_in("en"), "qz8#Lm2!xy")
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()

    client = client_in("en")
    client.force_login(world.member)
    assert change(client, "Tulou-2026!").status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("Tulou-2026!")


# The hasher


def test_argon2_with_the_sites_parameters_hashes_new_passwords(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert project_settings.PASSWORD_HASHERS[0] == "members.hashers.Argon2PasswordHasher"
    user = factories.user(phone=PHONE)
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_with_djangos_argon2_parameters_still_verifies_and_is_rehashed(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = factories.user(phone=PHONE)
    old_hash = make_password(factories.TEST_PASSWORD, hasher=DjangoArgon2PasswordHasher())
    assert "m=102400,t=2,p=8" in old_hash
    User.objects.filter(pk=user.pk).update(password=old_hash)
    response = client_in("en").post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


def test_an_older_pbkdf2_hash_is_upgraded_at_sign_in(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = factories.user(phone=PHONE)
    old_hash = make_password(factories.TEST_PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old_hash)
    response = client_in("en").post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


# Signing in: through allauth only, with its rate limits


def test_admin_login_sends_to_the_portal_login(db):
    response = client_in("en").get(reverse("admin:login"), {"next": "/admin/members/member/"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/members/member/"


def test_admin_login_form_does_not_sign_anyone_in(world):
    client = client_in("en")
    data = {"username": "secretary@example.com", "password": factories.TEST_PASSWORD}
    response = client.post(reverse("admin:login"), data)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_repeated_failed_logins_for_one_account_are_refused(db, language):
    factories.user(phone=PHONE)
    client = client_in(language)
    for _ in range(5):  # ACCOUNT_RATE_LIMITS: login_failed 5 per 5 minutes per account
        response = client.post(LOGIN, {"login": PHONE, "password": "not-the-password"})
        assert response.status_code == 200
        assert MESSAGES[language]["rate_limited"] not in response.content.decode()

    # From another device too, and even with the right password.
    response = client_in(language).post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response.status_code == 200
    assert MESSAGES[language]["rate_limited"] in response.content.decode()
    assert "_auth_user_id" not in client.session

    cache.clear()  # the counters live in the cache (Redis when REDIS_URL is set)
    response = client_in(language).post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_other_accounts_are_not_limited_by_one_accounts_failures(db):
    factories.user(phone=PHONE)
    factories.user(phone="13912345678")
    client = client_in("en")
    for _ in range(5):
        client.post(LOGIN, {"login": PHONE, "password": "not-the-password"})
    response = client.post(LOGIN, {"login": "13912345678", "password": factories.TEST_PASSWORD})
    assert response.status_code == 302


def test_one_account_is_one_counter_however_the_number_is_written(db):
    factories.user(phone=PHONE)
    for written in ("+86 138 1234 5678", "138-1234-5678", "+8613812345678", PHONE, PHONE):
        client_in("en").post(LOGIN, {"login": written, "password": "not-the-password"})
    response = client_in("en").post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert MESSAGES["en"]["rate_limited"] in response.content.decode()


@pytest.mark.parametrize("written", [factories.full_width(PHONE), "1" + factories.full_width(PHONE[1:])])
def test_a_phone_typed_in_full_width_signs_in(db, written):
    factories.user(phone=PHONE)
    response = client_in("en").post(LOGIN, {"login": written, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_full_width_phone_counts_against_the_same_account(db):
    factories.user(phone=PHONE)
    for written in (factories.full_width(PHONE), "1" + factories.full_width(PHONE[1:])) * 3:
        client_in("en").post(LOGIN, {"login": written, "password": "not-the-password"})
    response = client_in("en").post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert MESSAGES["en"]["rate_limited"] in response.content.decode()


def test_sign_up_stores_a_full_width_phone_in_ascii(db):
    password = SHORT + "Q1"
    data = {"phone": factories.full_width(PHONE), "email": "new@example.com", "password1": password,
            "password2": password}
    assert client_in("en").post(SIGNUP, data).status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.phone == PHONE and User.objects.get(phone_digest=digest_phone(PHONE)) == user


def test_rate_limits_use_redis_when_it_is_configured():
    """allauth counts failures in Django's default cache, which REDIS_URL makes Redis."""
    ours = ("DJANGO_", "FIELD_", "REDIS", "DATABASE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6399/0", DATABASE_URL="sqlite:///:memory:")
    code = (
        "from allauth.core.internal import ratelimit; from django.core.cache import caches; "
        "print(type(caches[ratelimit.cache._alias]).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "RedisCache"


# Signing up again


@pytest.mark.parametrize("taken", ["phone", "email"])
def test_signing_up_with_a_phone_or_email_already_taken_is_refused_with_a_message(world, taken):
    factories.user(name="已注册", email="new@example.com" if taken == "email" else "old@example.com",
                   phone=PHONE if taken == "phone" else None)
    data = {
        "phone": PHONE if taken == "phone" else "13912345678",
        "email": "new@example.com" if taken == "email" else "other@example.com",
        "password1": "tulou-e-branch-2026", "password2": "tulou-e-branch-2026",
    }
    response = client_in("en").post(SIGNUP, data)
    assert response.status_code == 200
    assert "already" in errors_of(response)
    assert User.objects.count() == 7


# Behind the reverse proxy: every request comes from the proxy's address (REMOTE_ADDR 127.0.0.1 here),
# and the client's address is the one the proxy appended to X-Forwarded-For.
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    """As production sets it: BEHIND_PROXY=1, TRUSTED_PROXY_COUNT unset."""
    production = settings_under(monkeypatch, BEHIND_PROXY="1")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production["ALLAUTH_TRUSTED_PROXY_COUNT"]


def from_address(forwarded_for: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_X_FORWARDED_FOR=forwarded_for)


def lock_out(client: Client) -> None:
    """Ten failed sign-ins a minute from one address, each for another account (so no account's limit)."""
    for n in range(10):
        response = client.post(LOGIN, {"login": f"nobody{n}@example.com", "password": "not-the-password"})
        assert MESSAGES["en"]["rate_limited"] not in response.content.decode()
    response = client.post(LOGIN, {"login": "nobody10@example.com", "password": "not-the-password"})
    assert MESSAGES["en"]["rate_limited"] in response.content.decode()


def test_behind_the_proxy_clients_are_limited_apart_by_their_forwarded_address(db, behind_proxy):
    user = factories.user(phone=PHONE)
    lock_out(from_address(CLIENT_A))

    client = from_address(CLIENT_B)
    response = client.post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    # The sessions page shows the same address (allauth's adapter resolves it for both).
    assert list(UserSession.objects.filter(user=user).values_list("ip", flat=True)) == [CLIENT_B]


def test_behind_the_proxy_a_forged_forwarded_address_does_not_escape_the_limit(db, behind_proxy):
    factories.user(phone=PHONE)
    lock_out(from_address(CLIENT_A))
    # A sends B's address itself; the proxy appends the address it saw, A's, and that one counts.
    response = from_address(f"{CLIENT_B}, {CLIENT_A}").post(
        LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert MESSAGES["en"]["rate_limited"] in response.content.decode()

    response = from_address(CLIENT_B).post(LOGIN, {"login": PHONE, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302


# Password reset: the page answers the same for any address, and mails only accounts on file.
RESET = reverse("account_reset_password")


def test_password_reset_mails_a_known_address_and_nobody_else(db):
    factories.user(email="known@example.com")
    known = client_in("en").post(RESET, {"email": "known@example.com"})
    assert [message.to for message in mail.outbox] == [["known@example.com"]]

    unknown = client_in("en").post(RESET, {"email": "stranger@example.net"})
    assert len(mail.outbox) == 1  # no "unknown account" mail to whatever address was typed in
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("account_reset_password_done")
