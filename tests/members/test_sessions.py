"""Sessions: officers signed out after 30 idle minutes (OfficerSecurityMiddleware), and every user's list of
signed-in devices with a way to end the others (allauth.usersessions)."""

from unittest import mock

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import security
from tests import factories

HOME = reverse("home")
SESSIONS = reverse("usersessions_list")
T0 = 1_800_000_000  # an arbitrary instant, in epoch seconds
MINUTE = 60


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Stands in for `members.security.clock`, so tests move time without sleeping."""

    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch.object(security, "clock", fake):
        yield fake


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# Idle officers


@pytest.mark.parametrize("persona", ["secretary", "liaison", "county_officer"])
def test_officer_is_signed_out_after_30_idle_minutes(en, world, clock, persona):
    en.force_login(getattr(world, persona))
    clock.now += 29 * MINUTE
    assert en.get(HOME).status_code == 200
    clock.now += 30 * MINUTE + 1
    assert signed_out(en.get(HOME))
    response = en.get(reverse("account_login"))
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    assert signed_out(en.get(HOME))  # for good: a new sign-in is needed


def test_activity_keeps_the_officer_signed_in(en, world, clock):
    en.force_login(world.secretary)
    for _ in range(6):  # two hours, a request every 20 minutes
        clock.now += 20 * MINUTE
        assert en.get(HOME).status_code == 200


def test_the_timeout_is_a_setting(en, world, clock, settings):
    settings.OFFICER_IDLE_TIMEOUT = 10 * MINUTE
    en.force_login(world.secretary)
    clock.now += 10 * MINUTE + 1
    assert signed_out(en.get(HOME))
    html = en.get(reverse("account_login")).content.decode()
    assert "You were signed out after 10 minutes without activity." in html


def test_idle_officer_on_a_post_is_signed_out_and_nothing_is_done(en, world, clock):
    en.force_login(world.secretary)
    clock.now += 31 * MINUTE
    new = "a-new-long-passphrase"
    response = en.post(
        reverse("account_change_password"),
        {"oldpassword": factories.TEST_PASSWORD, "password1": new, "password2": new},
    )
    assert signed_out(response)
    world.secretary.refresh_from_db()
    assert world.secretary.check_password(factories.TEST_PASSWORD)


def test_members_keep_normal_sessions(en, world, clock):
    en.force_login(world.member)
    clock.now += 8 * 60 * MINUTE
    assert en.get(HOME).status_code == 200


def test_last_activity_is_written_at_most_once_a_minute(en, world, clock):
    en.force_login(world.secretary)
    assert en.session[security.LAST_SEEN_KEY] == T0  # signing in starts the clock
    clock.now += 59
    en.get(HOME)
    assert en.session[security.LAST_SEEN_KEY] == T0  # no session write
    clock.now += 1
    en.get(HOME)
    assert en.session[security.LAST_SEEN_KEY] == T0 + MINUTE


def test_a_request_within_the_minute_does_not_touch_the_session_table(en, world, clock):
    en.force_login(world.liaison)
    clock.now += 30
    with CaptureQueriesContext(connection) as queries:
        assert en.get(SESSIONS).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    clock.now += 30
    with CaptureQueriesContext(connection) as queries:
        en.get(SESSIONS)
    assert [q for q in queries.captured_queries if q["sql"].startswith("UPDATE \"django_session\"")]


# Signed-in devices


def sign_in(phone: str, user_agent: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": phone, "password": factories.TEST_PASSWORD})
    assert response["Location"] == "/"
    return client


PHONE = "13812345678"
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0 Mobile "
    "Safari/537.36 MicroMessenger/8.0.47"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
    "Safari/537.36 Edg/120.0"
)


def test_user_sees_their_devices_and_signs_out_the_others(world):
    user = factories.user(phone=PHONE)
    phone = sign_in(PHONE, ANDROID_WECHAT)
    desktop = sign_in(PHONE, WINDOWS_EDGE)
    assert UserSession.objects.filter(user=user).count() == 2

    response = desktop.get(SESSIONS)
    html = response.content.decode()
    assert "2 devices" in html
    assert "WeChat · Android" in html and "Edge · Windows" in html
    assert html.count("This device") == 1

    response = desktop.post(SESSIONS)
    assert response.status_code == 302 and response["Location"] == SESSIONS
    assert signed_out(phone.get(HOME))
    assert desktop.get(HOME).status_code == 200
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        desktop.session.session_key
    ]
    assert "You are signed in on this device only." in desktop.get(SESSIONS).content.decode()


def test_other_users_sessions_are_not_listed(world):
    factories.user(phone=PHONE)
    factories.user(phone="13912345678")
    mine = sign_in(PHONE, WINDOWS_EDGE)
    sign_in("13912345678", ANDROID_WECHAT)
    html = mine.get(SESSIONS).content.decode()
    assert "1 device" in html and "WeChat" not in html


def test_devices_page_is_for_signed_in_users(client, world):
    assert signed_out(client.get(SESSIONS))


def test_devices_page_query_count(world, django_assert_num_queries):
    factories.user(phone=PHONE)
    client = sign_in(PHONE, WINDOWS_EDGE)
    for agent in ("a", "b", "c"):
        sign_in(PHONE, agent)
    # user (session is cached), positions (scope), the user's sessions, then allauth loads the account of
    # each listed session (4) to check it is still theirs, member (navigation). A user has a few devices.
    # + the unread notifications count (header)
    with django_assert_num_queries(9):
        response = client.get(SESSIONS)
    assert "4 devices" in response.content.decode()
