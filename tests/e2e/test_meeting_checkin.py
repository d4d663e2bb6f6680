"""A liaison officer schedules an online meeting in headless Chromium, and a member checks in."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Attendance, Meeting
from tests import factories
from tests.e2e.conftest import phone_page, sign_in

pytestmark = pytest.mark.e2e

PHONE = "13812345679"
BEIJING = ZoneInfo("Asia/Shanghai")


def test_liaison_schedules_a_meeting_and_a_member_checks_in(browser, live_server, world):
    from playwright.sync_api import expect

    member = factories.user(name="张海燕", phone=PHONE)
    factories.member(organization=world.branch, user=member, name="张海燕", phone=PHONE)
    starts = (timezone.now() + datetime.timedelta(minutes=10)).astimezone(BEIJING)
    ends = starts + datetime.timedelta(hours=1)

    officer = phone_page(browser)
    sign_in(officer, live_server.url, "liaison@example.com", factories.TEST_PASSWORD)
    officer.goto(f"{live_server.url}/meetings/new/")
    officer.select_option("select[name=kind]", "party_lecture")
    officer.fill("input[name=title]", "线上党课")
    officer.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    officer.fill("input[name=ends_at]", ends.strftime("%Y-%m-%dT%H:%M"))
    officer.select_option("select[name=mode]", "portal")
    officer.click("form.form button[type=submit]")
    expect(officer).to_have_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="线上党课")
    assert meeting.organization == world.branch

    # a member whose phone is set to another zone still checks in: the window is the server's
    page = phone_page(browser, timezone_id="Europe/Berlin")
    sign_in(page, live_server.url, PHONE, factories.TEST_PASSWORD)
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("link", name="线上党课").click()
    expect(page.get_by_text(starts.strftime("%Y-%m-%d %H:%M")).first).to_be_visible()
    page.click("button[name=online]")
    expect(page.locator(".badge-full").first).to_be_visible()
    assert Attendance.objects.get(meeting=meeting, member__name="张海燕").checked_in_at is not None

    officer.goto(f"{live_server.url}/meetings/{meeting.pk}/attendance/")
    row = officer.locator("tr", has_text="张海燕")
    expect(row.locator(".c-present .badge-full")).to_be_visible()
    officer.screenshot(path=_screenshot("sheet-390.png"), full_page=True)
    page.screenshot(path=_screenshot("detail-390.png"), full_page=True)


def _screenshot(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "screenshots" / "meetings"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)
