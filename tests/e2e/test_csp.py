"""Key pages in headless Chromium under the Content-Security-Policy: each is sent the policy, and the
browser blocks nothing on it (Chromium reports every blocked script, style or image in the console)."""

import pytest
from django.test import Client
from django.urls import reverse

from meetings.calendar import calendar_token_renew
from tests.meetings.scheduling import schedule

pytestmark = pytest.mark.e2e


def open_as(browser, live_server, user=None):
    """A phone-sized page signed in as `user` (a session made by the test client: officers skip the
    second factor), which records what the console and the page's errors say."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.reports = []
    page.on("console", lambda message: page.reports.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.reports.append(f"error: {error}"))
    return page


def visit(page, live_server, path) -> list[str]:
    """Load `path`; what went wrong: no policy sent, or anything the console reported."""
    page.reports.clear()
    response = page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    problems = [f"{path}: {report}" for report in page.reports]
    if response.status != 200:
        problems.append(f"{path}: status {response.status}")
    if "default-src 'none'" not in response.headers.get("content-security-policy", ""):
        problems.append(f"{path}: no Content-Security-Policy")
    return problems


def test_key_pages_break_no_rule_of_the_policy(browser, live_server, world):
    meeting = schedule(world, mode="in_person", address="厦门市思明区")
    calendar_token_renew(user=world.member)
    problems = []

    page = open_as(browser, live_server)
    problems += visit(page, live_server, reverse("account_login"))

    page = open_as(browser, live_server, world.member)
    for path in (
        reverse("home"), reverse("meetings:list"), reverse("meetings:detail", args=[meeting.pk]),
        reverse("dues:mine"), reverse("account_change_phone"), reverse("calendar:settings"),
    ):
        problems += visit(page, live_server, path)
    # The calendar link is selected with a click, by a script of our own now that inline ones are refused.
    field = page.locator("#feed-url")
    field.click()
    assert field.evaluate("input => input.selectionEnd - input.selectionStart") == len(field.input_value())

    page = open_as(browser, live_server, world.county_officer)
    for path in (
        reverse("branches:list"), reverse("admin:index"), reverse("admin:members_member_changelist"),
        reverse("admin:members_member_change", args=[world.member.member.pk]),
        reverse("admin:members_member_import"), reverse("admin:branches_organization_changelist"),
        reverse("admin:branches_township_add"),
    ):
        problems += visit(page, live_server, path)

    assert problems == []
