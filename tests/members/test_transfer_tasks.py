"""The daily transfer tasks (members/transfer_tasks.py): they run with today's date, are scheduled by
beat, and a second run does nothing."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from ebranch.celery import app
from members.activity_cards import activity_card_issue
from members.models import ActivityCard, IntroductionLetter, Transfer
from members.notifications.models import Notification
from members.transfer_tasks import activity_cards_expire_task, letters_expire_task, letters_remind_task
from members.transfers import transfer_approve, transfer_request

TASKS = {
    "transfer-letters-expire": "members.transfer_tasks.letters_expire_task",
    "transfer-letters-remind": "members.transfer_tasks.letters_remind_task",
    "activity-cards-expire": "members.transfer_tasks.activity_cards_expire_task",
}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def letter(world) -> IntroductionLetter:
    transfer = transfer_request(
        member=world.member.member, actor=world.member, reason="工作调动", to_organization=world.other_branch
    )
    return transfer_approve(transfer=transfer, actor=world.secretary)


@pytest.mark.parametrize(("name", "task"), sorted(TASKS.items()))
def test_each_task_is_scheduled_daily(name, task):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    assert entry["task"] == task
    assert entry["schedule"].hour and len(entry["schedule"].hour) == 1
    assert len(entry["schedule"].minute) == 1 and entry["schedule"].day_of_month == set(range(1, 32))
    assert task in app.tasks  # registered once the module is imported


def test_letters_expire_task_expires_once(world, letter):
    IntroductionLetter.objects.filter(pk=letter.pk).update(issued_on=days_ago(95), valid_until=days_ago(6))

    assert letters_expire_task.apply().get() == 1
    notified = Notification.objects.count()
    assert letters_expire_task.apply().get() == 0

    letter.refresh_from_db()
    assert letter.status == IntroductionLetter.Status.EXPIRED
    assert letter.transfer.status == Transfer.Status.EXPIRED
    assert Notification.objects.count() == notified


def test_letters_remind_task_reminds_once_a_week(world, letter):
    IntroductionLetter.objects.filter(pk=letter.pk).update(issued_on=days_ago(40))

    assert letters_remind_task.apply().get() == 1
    assert letters_remind_task.apply().get() == 0

    letter.refresh_from_db()
    assert letter.last_reminded_on == timezone.localdate()
    assert Notification.objects.filter(recipient=world.other_secretary, title__contains="40").count() == 1


def test_activity_cards_expire_task_ends_cards_past_their_end_date(world):
    card = activity_card_issue(
        member=world.member.member, actor=world.secretary, host_organization=world.other_branch,
        starts_on=days_ago(60), ends_on=days_ago(1), reason="短期外出务工",
    )
    running = activity_card_issue(
        member=world.other_member.member, actor=world.other_secretary, host_organization=world.branch,
        starts_on=days_ago(10), ends_on=timezone.localdate(), reason="短期外出务工",
    )

    assert activity_cards_expire_task.apply().get() == 1
    assert activity_cards_expire_task.apply().get() == 0

    card.refresh_from_db()
    assert card.ended_on == days_ago(1) and card.end_reason == ActivityCard.EndReason.EXPIRED
    running.refresh_from_db()
    assert running.ended_on is None


def test_nothing_due_does_nothing(db):
    assert [letters_expire_task.apply().get(), letters_remind_task.apply().get(),
            activity_cards_expire_task.apply().get()] == [0, 0, 0]
