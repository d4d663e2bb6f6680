import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings.calendar import calendar_token_renew, ical_fold, ical_text
from meetings.models import Attendance, Meeting, MeetingKind
from members.models import Member


@pytest.fixture(autouse=True)
def late_november_2026():
    """The feed shows meetings from a while back onwards: these tests look at it in late November 2026."""
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=True):
        yield


def _meeting(world, starts, *, branches=None, **fields):
    fields = {
        "organization": world.branch, "kind": MeetingKind.THEME_DAY, "title": "主题党日",
        "starts_at": starts, "ends_at": starts + datetime.timedelta(hours=2), "mode": Meeting.Mode.PORTAL,
        "created_by": world.secretary,
    } | fields
    m = Meeting.objects.create(**fields)
    m.invited_organizations.set(branches or [world.branch])
    # Every invitee gets an attendance record when a meeting is scheduled (meetings.services).
    invitees = Member.objects.filter(organization__in=branches or [world.branch])
    Attendance.objects.bulk_create(Attendance(meeting=m, member=member) for member in invitees)
    return m


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_escaping_and_folding():
    assert ical_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "党" * 40
    folded = ical_fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert _unfold(folded) == line


def test_feed_has_the_members_meetings(client, world):
    token = calendar_token_renew(user=world.member)
    # 23:30 to 01:30 in Shanghai: across midnight, 15:30 to 17:30 UTC the day before.
    starts = timezone.make_aware(datetime.datetime(2026, 12, 1, 23, 30))
    joint = _meeting(
        world, starts, title="Lecture; part 1, history", address="永定区 凤城镇, 1号",
        agenda="1. 学习\n2. 讨论", branches=[world.other_branch, world.branch],
    )
    cancelled = _meeting(world, starts + datetime.timedelta(days=3), status=Meeting.Status.CANCELLED)
    _meeting(world, starts, title="other branch only", branches=[world.other_branch])
    _meeting(world, timezone.now() - datetime.timedelta(days=400), title="long ago")

    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    body = _unfold(text)
    assert body.count("BEGIN:VEVENT") == 2
    assert f"UID:meeting-{joint.pk}@ebranch.tulou" in body
    assert "DTSTART:20261201T153000Z\r\nDTEND:20261201T173000Z" in body
    assert "SUMMARY:Lecture\\; part 1\\, history" in body
    assert "LOCATION:永定区 凤城镇\\, 1号" in body
    assert "DESCRIPTION:1. 学习\\n2. 讨论" in body
    assert "URL:http://testserver/" in body
    event = body.split(f"UID:meeting-{cancelled.pk}@")[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in event
    assert "other branch only" not in body and "long ago" not in body


def test_revoked_or_renewed_token_is_404(client, world):
    old = calendar_token_renew(user=world.member)
    new = calendar_token_renew(user=world.member)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    client.force_login(world.member)
    client.post(reverse("calendar:revoke"))
    client.logout()
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404


def test_feed_query_count(client, world, django_assert_num_queries):
    token = calendar_token_renew(user=world.member)
    for day in range(3):
        _meeting(world, timezone.now() + datetime.timedelta(days=day + 1))
    # user by token with member, meetings
    with django_assert_num_queries(2):
        assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_settings_page_creates_renews_and_revokes(en, world, django_assert_num_queries):
    en.force_login(world.member)
    url = reverse("calendar:settings")
    # user, positions, member, unread notifications
    with django_assert_num_queries(4):
        page = en.get(url)
    assert "Create my calendar link" in page.text
    en.post(reverse("calendar:renew"))
    world.member.refresh_from_db()
    first = world.member.calendar_token
    assert len(first) >= 43
    page = en.get(url)
    assert f"/calendar/{first}.ics" in page.text
    en.post(reverse("calendar:renew"))
    world.member.refresh_from_db()
    assert world.member.calendar_token not in ("", first)
    en.post(reverse("calendar:revoke"))
    world.member.refresh_from_db()
    assert world.member.calendar_token == ""
    assert en.get(reverse("calendar:renew")).status_code == 405


def test_settings_page_needs_a_member(en, world):
    assert en.get(reverse("calendar:settings")).status_code == 302
    en.force_login(world.liaison)  # an account without a member record
    assert en.get(reverse("calendar:settings")).url == reverse("verification:status")
