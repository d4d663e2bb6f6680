"""Reminders 24 hours and 1 hour before: each sent once, whatever the beat does."""

import datetime

from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_update
from meetings.tasks import meeting_reminders_send
from members.notifications.models import Notification
from tests.meetings.scheduling import schedule

HOUR = datetime.timedelta(hours=1)


def reminders(kind):
    return Notification.objects.filter(kind=kind).count()


def test_day_before_reminder_is_sent_once(world):
    schedule(world, starts_in=23 * HOUR)
    assert meeting_reminders_send() == 1
    assert reminders("meeting_reminder_24h") == 2  # the member and the secretary
    assert meeting_reminders_send() == 0  # the next tick
    assert meeting_reminders_send() == 0
    assert reminders("meeting_reminder_24h") == 2
    assert reminders("meeting_reminder_1h") == 0


def test_hour_before_reminder_alone_inside_the_hour(world):
    schedule(world, starts_in=datetime.timedelta(minutes=50))
    meeting_reminders_send()
    meeting_reminders_send()
    assert reminders("meeting_reminder_1h") == 2
    assert reminders("meeting_reminder_24h") == 0


def test_both_reminders_as_the_meeting_comes_closer(world):
    meeting = schedule(world, starts_in=23 * HOUR)
    meeting_reminders_send()
    # the meeting is now 50 minutes away
    start = timezone.now() + datetime.timedelta(minutes=50)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + HOUR)
    meeting_reminders_send()
    meeting_reminders_send()
    assert (reminders("meeting_reminder_24h"), reminders("meeting_reminder_1h")) == (2, 2)


def test_a_meeting_far_away_gets_none_yet(world):
    schedule(world, starts_in=25 * HOUR)
    assert meeting_reminders_send() == 0
    assert not Notification.objects.filter(kind__startswith="meeting_reminder").exists()


def test_a_cancelled_meeting_gets_none(world):
    meeting = schedule(world, starts_in=2 * HOUR)
    meeting_cancel(actor=world.liaison, meeting=meeting, reason="台风")
    assert meeting_reminders_send() == 0


def test_two_workers_claiming_the_same_reminder_send_it_once(world):
    """Two overlapping ticks both saw the meeting as due; only the one whose claim succeeds sends."""
    from meetings.tasks import _remind

    meeting = schedule(world, starts_in=23 * HOUR)
    now = timezone.now()
    sent = [_remind(meeting.pk, field="reminder_24h_sent_at", kind="meeting_reminder_24h", now=now)
            for _ in range(2)]
    assert sent == [1, 0]
    assert reminders("meeting_reminder_24h") == 2


def test_a_new_time_gets_new_reminders(world):
    meeting = schedule(world, starts_in=23 * HOUR)
    meeting_reminders_send()
    start = meeting.starts_at + datetime.timedelta(minutes=30)
    meeting_update(actor=world.liaison, meeting=meeting, starts_at=start, ends_at=start + HOUR)
    meeting_reminders_send()
    assert reminders("meeting_reminder_24h") == 4


def test_the_beat_runs_the_reminders(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "meetings.tasks.meeting_reminders_send" in tasks
