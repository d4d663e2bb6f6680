import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import checkin
from meetings.models import Attendance, Meeting
from meetings.services import attachment_add, attendance_check_in
from members.notifications.models import Notification
from tests import factories
from tests.meetings import attachment_files as files
from tests.meetings.scheduling import schedule

HOUR = datetime.timedelta(hours=1)


def as_user(client, user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return client


# The member's list


def test_list_shows_upcoming_first_then_past(client, world):
    soon = schedule(world, title="下周学习", starts_in=7 * 24 * HOUR)
    sooner = schedule(world, title="明天党课", starts_in=24 * HOUR)
    past = schedule(world, title="上月大会", starts_at=timezone.now() - 30 * 24 * HOUR)
    older = schedule(world, title="去年大会", starts_at=timezone.now() - 300 * 24 * HOUR)
    html = as_user(client, world.member).get(reverse("meetings:list")).content.decode()
    positions = [html.index(m.title) for m in (sooner, soon, past, older)]
    assert positions == sorted(positions)


def test_list_hides_other_branches_meetings(client, world):
    schedule(world, title="厦门支部会议")
    schedule(world, title="深圳支部会议", organization=world.other_branch, actor=world.other_secretary)
    html = as_user(client, world.member).get(reverse("meetings:list")).content.decode()
    assert "厦门支部会议" in html and "深圳支部会议" not in html


def test_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    for n in range(6):
        meeting = schedule(world, title=f"会议{n}", starts_in=(n - 3) * 24 * HOUR)
        attachment_add(actor=world.liaison, meeting=meeting, file=files.upload("a.pdf", files.pdf()))
    as_user(client, world.member)
    # user, positions, member (scope); count and page of meetings; the member's own attendance
    # (prefetch); unread notifications (header)
    with django_assert_num_queries(7):
        response = client.get(reverse("meetings:list"))
    assert response.status_code == 200


def test_list_offers_scheduling_to_officers_only(client, world):
    assert reverse("meetings:schedule") in as_user(client, world.liaison).get(reverse("meetings:list")).text
    client.logout()
    member_page = as_user(client, world.member).get(reverse("meetings:list")).text
    assert reverse("meetings:schedule") not in member_page


def test_list_needs_a_verified_member_or_an_officer(client, world):
    response = as_user(client, factories.user()).get(reverse("meetings:list"))
    assert response.status_code == 302 and response["Location"] == reverse("verification:status")


# The meeting page


def test_meeting_page_shows_how_to_join(client, world):
    meeting = schedule(world, mode="video", video_url="https://meeting.example.com/j/123")
    html = as_user(client, world.member).get(reverse("meetings:detail", args=[meeting.pk])).text
    assert "https://meeting.example.com/j/123" in html
    assert "Check-in opens at" in html


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_outsiders_get_404(client, world, persona):
    meeting = schedule(world)
    response = as_user(client, getattr(world, persona)).get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    meeting = schedule(world)
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_joint_meeting_page_opens_for_the_other_branch(client, world):
    meeting = schedule(world, invited_organizations=[world.other_branch])
    response = as_user(client, world.other_member).get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    # but running it stays with the organizing branch's officers
    client.logout()
    response = as_user(client, world.other_secretary).get(reverse("meetings:sheet", args=[meeting.pk]))
    assert response.status_code == 404


def test_meeting_page_query_count(client, world, django_assert_num_queries):
    meeting = schedule(world, invited_organizations=[world.other_branch])
    for name in ("a.pdf", "b.pdf"):
        attachment_add(actor=world.liaison, meeting=meeting, file=files.upload(name, files.pdf()))
    as_user(client, world.member)
    # user, positions, member (scope); meeting with its organization; the member's attendance;
    # invited branches; attendance counts; attachments; unread notifications (header)
    with django_assert_num_queries(9):
        response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200


# Replies and check-in


def test_member_replies_leave_with_a_reason(client, world):
    meeting = schedule(world)
    as_user(client, world.member)
    url = reverse("meetings:reply", args=[meeting.pk])
    client.post(url, {"reply": "leave", "leave_reason": ""})
    assert Attendance.objects.get(meeting=meeting, member=world.member.member).reply == ""
    response = client.post(url, {"reply": "leave", "leave_reason": "在外地出差"}, follow=True)
    assert "在外地出差" in response.text
    assert Attendance.objects.get(meeting=meeting, member=world.member.member).reply == "leave"


def test_member_checks_in_online_in_the_window(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=10))
    as_user(client, world.member)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).text
    assert "Check in now" in page
    response = client.post(reverse("meetings:check_in", args=[meeting.pk]), follow=True)
    assert "You are checked in." in response.text
    assert Attendance.objects.get(meeting=meeting, member=world.member.member).checkin_method == "online"


def test_no_check_in_button_before_the_window(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=20))
    as_user(client, world.member)
    assert "Check in now" not in client.get(reverse("meetings:detail", args=[meeting.pk])).text
    client.post(reverse("meetings:check_in", args=[meeting.pk]))
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


def test_outsider_cannot_check_in(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=5))
    response = as_user(client, world.other_member).post(reverse("meetings:check_in", args=[meeting.pk]))
    assert response.status_code == 404


def test_in_person_check_in_with_the_code_on_the_officers_screen(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=5), mode="in_person", address="厦门")
    screen = as_user(client, world.liaison).get(reverse("meetings:code", args=[meeting.pk])).text
    code = checkin.code_at(meeting, timezone.now())
    assert code in screen and 'http-equiv="refresh"' in screen
    client.logout()
    as_user(client, world.member)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).text
    assert 'name="code"' in page and "Check in now" not in page
    url = reverse("meetings:check_in", args=[meeting.pk])
    client.post(url, {"code": "000000" if code != "000000" else "111111"})
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()
    client.post(url, {"code": checkin.code_at(meeting, timezone.now())})
    assert Attendance.objects.get(meeting=meeting, member=world.member.member).checkin_method == "code"


def test_a_code_in_other_digits_gets_a_message_not_an_error(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=5), mode="in_person", address="厦门")
    url = reverse("meetings:check_in", args=[meeting.pk])
    response = as_user(client, world.member).post(url, {"code": "٠١٢٣٤٥"}, follow=True)
    assert response.status_code == 200 and response.context["messages"]
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


def test_code_screen_is_for_officers(client, world):
    meeting = schedule(world, mode="in_person", address="厦门")
    assert as_user(client, world.member).get(reverse("meetings:code", args=[meeting.pk])).status_code == 404


# Officers: scheduling, changing, cancelling


def form_data(world, **overrides):
    data = {
        "organization": world.branch.pk, "kind": "party_lecture", "title": "党课：学习党章",
        "agenda": "", "starts_at": "2026-12-31T23:30", "ends_at": "2027-01-01T00:30", "mode": "portal",
        "video_url": "", "chat_group": "", "address": "",
    }
    data.update(overrides)
    return data


def test_liaison_schedules_a_meeting_across_midnight_in_beijing_time(client, world):
    response = as_user(client, world.liaison).post(reverse("meetings:schedule"), form_data(world))
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    # the inputs are Beijing time, stored in UTC
    assert meeting.starts_at == datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC)
    assert meeting.ends_at == datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)
    assert meeting.created_by == world.liaison
    assert Notification.objects.filter(kind="meeting_scheduled", recipient=world.member).exists()


def test_meeting_page_shows_beijing_time_whatever_the_browsers_zone(client, world):
    start = datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC)  # 23:30 in Beijing
    meeting = schedule(world, starts_at=start, minutes=60)
    as_user(client, world.member)
    # a browser in New York says so only through its language and clock; the page stays in Beijing time
    html = client.get(reverse("meetings:detail", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="en-US").text
    assert "2026-12-31 23:30" in html and "2027-01-01 00:30" in html
    assert "Beijing time" in html
    assert 'datetime="2026-12-31T23:30:00+08:00"' in html


def test_county_staff_schedule_a_joint_meeting(client, world):
    data = form_data(world, invited_organizations=[world.other_branch.pk])
    response = as_user(client, world.county_officer).post(reverse("meetings:schedule"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert set(meeting.invited_organizations.all()) == {world.branch, world.other_branch}
    assert Notification.objects.filter(kind="meeting_scheduled", recipient=world.other_member).exists()


def test_member_cannot_schedule(client, world):
    assert as_user(client, world.member).get(reverse("meetings:schedule")).status_code == 404


def test_liaison_cannot_schedule_for_another_branch(client, world):
    response = as_user(client, world.liaison).post(
        reverse("meetings:schedule"), form_data(world, organization=world.other_branch.pk)
    )
    assert response.status_code == 200 and not Meeting.objects.exists()


def test_video_meeting_needs_its_link(client, world):
    as_user(client, world.liaison)
    response = client.post(reverse("meetings:schedule"), form_data(world, mode="video"))
    assert response.status_code == 200 and "Give the video link." in response.text
    assert not Meeting.objects.exists()


def test_edit_tells_the_members(client, world):
    meeting = schedule(world)
    as_user(client, world.secretary)
    data = form_data(world, title=meeting.title, mode="chat_group", chat_group="群号 123456")
    data.pop("organization")
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.mode == "chat_group"
    assert Notification.objects.filter(kind="meeting_changed", recipient=world.member).exists()


def test_other_branch_officers_cannot_edit(client, world):
    meeting = schedule(world)
    response = as_user(client, world.other_secretary).get(reverse("meetings:edit", args=[meeting.pk]))
    assert response.status_code == 404


def test_cancel_with_a_reason(client, world):
    meeting = schedule(world)
    as_user(client, world.liaison)
    client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "台风停课"})
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert Notification.objects.get(kind="meeting_cancelled", recipient=world.member).urgent


# Attendance sheet and corrections


def test_sheet_shows_who_checked_in_and_takes_corrections(client, world):
    meeting = schedule(world, starts_in=datetime.timedelta(minutes=5))
    attendance_check_in(actor=world.member, meeting=meeting, member=world.member.member)
    as_user(client, world.liaison)
    html = client.get(reverse("meetings:sheet", args=[meeting.pk])).text
    assert "张三" in html and "李书记" in html
    row = Attendance.objects.get(meeting=meeting, member__name="李书记")
    url = reverse("meetings:correct", args=[meeting.pk, row.pk])
    client.post(url, {"attended": "1", "reason": ""})
    row.refresh_from_db()
    assert row.checked_in_at is None
    client.post(url, {"attended": "1", "reason": "现场签到"})
    row.refresh_from_db()
    assert row.checkin_method == "officer" and row.corrected_by == world.liaison


def test_sheet_is_not_for_members(client, world):
    meeting = schedule(world)
    assert as_user(client, world.member).get(reverse("meetings:sheet", args=[meeting.pk])).status_code == 404


def test_sheet_query_count(client, world, django_assert_num_queries):
    for _ in range(5):
        factories.member(organization=world.branch)
    meeting = schedule(world)
    as_user(client, world.liaison)
    # user, positions, member (scope); meeting with its organization; attendance rows with members and
    # correcting officers; attendance counts; unread notifications (header)
    with django_assert_num_queries(7):
        response = client.get(reverse("meetings:sheet", args=[meeting.pk]))
    assert response.status_code == 200


# Minutes and attachments


def test_minutes_and_a_private_attachment(client, world):
    meeting = schedule(world)
    as_user(client, world.liaison)
    client.post(reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "一、传达会议精神"})
    upload = files.upload("纪要.pdf", files.pdf())
    client.post(reverse("meetings:minutes", args=[meeting.pk]), {"file": upload})
    attachment = meeting.attachments.get()
    client.logout()
    as_user(client, world.member)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).text
    assert "一、传达会议精神" in page and "纪要.pdf" in page
    url = reverse("meetings:attachment", args=[meeting.pk, attachment.pk])
    assert b"".join(client.get(url).streaming_content) == files.pdf()
    client.logout()
    assert as_user(client, world.other_member).get(url).status_code == 404


# Query counts of the officers' other pages. Every page: user, positions, member (scope), and the
# unread notifications (header).
OFFICER_PAGES = [
    # organizations exist; organizations (one: preselected, no joint meeting); the organization list
    ("schedule", False, 7),
    # meeting with its organization; organizations (one: no joint meeting to offer)
    ("edit", True, 6),
    ("cancel", True, 5),  # meeting with its organization
    ("code", True, 5),  # meeting with its organization
    ("minutes", True, 6),  # meeting with its organization; attachments
]


@pytest.mark.parametrize(("name", "with_pk", "queries"), OFFICER_PAGES)
def test_officer_page_query_counts(client, world, django_assert_num_queries, name, with_pk, queries):
    meeting = schedule(world, mode="hybrid", address="厦门", video_url="https://meeting.example.com/1")
    for n in range(3):
        attachment_add(actor=world.liaison, meeting=meeting, file=files.upload(f"{n}.pdf", files.pdf()))
    as_user(client, world.liaison)
    url = reverse(f"meetings:{name}", args=[meeting.pk] if with_pk else [])
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_attendance_sheet_needs_two_factor_from_officers_who_must_have_it(world):
    """The sheet lists many members: gated like a roster. Liaison officers are not made to use it."""
    from members.security import mfa_gated

    assert mfa_gated("meetings:sheet")
    assert not mfa_gated("meetings:detail") and not mfa_gated("meetings:schedule")
