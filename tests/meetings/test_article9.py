import datetime

import pytest
from django.utils import timezone

from meetings.article9 import article9_check
from meetings.models import Attendance, Meeting, MeetingKind
from meetings.tasks_article9 import article9_meetings_check
from members.models import Article9Notice
from members.notifications.models import Notification

NOW = timezone.make_aware(datetime.datetime(2026, 11, 3, 9))  # November: Oct is the last month completed


def _meeting(world, year, month, day=10, branches=None, status=Meeting.Status.SCHEDULED):
    starts = timezone.make_aware(datetime.datetime(year, month, day, 20))
    m = Meeting.objects.create(
        organization=world.branch, kind=MeetingKind.THEME_DAY, title=f"{year}-{month}", starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1), mode=Meeting.Mode.PORTAL, status=status,
        created_by=world.secretary,
    )
    m.invited_organizations.set(branches or [world.branch])
    return m


@pytest.fixture
def months(world):
    """A joint meeting of both branches a month, January to October 2026, everyone invited (an attendance
    record each); everyone but the member attends them all."""
    branches = [world.branch, world.other_branch]
    meetings = {month: _meeting(world, 2026, month, branches=branches) for month in range(1, 11)}
    Attendance.objects.bulk_create(
        Attendance(meeting=m, member=u.member, checked_in_at=m.starts_at)
        for m in meetings.values() for u in (world.secretary, world.other_member, world.other_secretary)
    )
    member = world.member.member
    Attendance.objects.bulk_create(Attendance(meeting=m, member=member) for m in meetings.values())
    return meetings


def _attend(world, meeting, **fields):
    fields = fields or {"checked_in_at": meeting.starts_at}
    Attendance.objects.filter(meeting=meeting, member=world.member.member).update(**fields)


def test_five_months_missed_is_not_yet_a_warning(world, months):
    _attend(world, months[5])  # May attended: June to October missed
    assert article9_check(now=NOW) == []
    assert not Article9Notice.objects.exists()


def test_six_months_missed_warns_member_and_secretary_once(world, months):
    _attend(world, months[4])  # April attended: May to October missed
    notices = article9_check(now=NOW)
    assert [(n.member, n.month, n.months, n.cause) for n in notices] == [
        (world.member.member, datetime.date(2026, 5, 1), 6, "meetings")
    ]
    to_member = Notification.objects.get(recipient=world.member)
    assert to_member.kind == "article9_meetings" and to_member.urgent
    to_secretary = Notification.objects.get(recipient=world.secretary)
    assert "张三" in to_secretary.title and str(world.member.member.pk) in to_secretary.url
    assert Notification.objects.count() == 2  # the other branch is not alerted
    # A repeated run, and next month's run while the absence goes on, send nothing again.
    assert article9_check(now=NOW) == []
    november = _meeting(world, 2026, 11, branches=[world.branch])
    Attendance.objects.create(meeting=november, member=world.member.member)
    assert article9_check(now=NOW + datetime.timedelta(days=30)) == []
    assert Article9Notice.objects.count() == 1 and Notification.objects.count() == 2


def test_leave_breaks_the_run(world, months):
    _attend(world, months[4])
    _attend(world, months[8], reply="leave", leave_reason="出海作业")
    assert article9_check(now=NOW) == []


def test_a_month_without_meetings_breaks_the_run(world, months):
    _attend(world, months[3])
    months[7].status = Meeting.Status.CANCELLED  # a cancelled meeting is no meeting
    months[7].save()
    assert article9_check(now=NOW) == []  # Aug–Oct missed, July without meetings


def test_meetings_the_member_was_not_invited_to_do_not_count(world, months):
    # Joined the branch in June: invited from then on only (no attendance record before).
    Attendance.objects.filter(member=world.member.member, meeting__starts_at__month__lt=6).delete()
    assert article9_check(now=NOW) == []


def test_the_task_runs_the_check(world, months, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assert article9_meetings_check() == 1
    assert article9_meetings_check() == 0
