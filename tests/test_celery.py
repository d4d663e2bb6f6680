"""The Celery application: safe serialisation, late acknowledgement, time limits, one beat schedule."""

import pytest
from celery import Task
from django.conf import settings

from ebranch.celery import app


def test_only_json_is_sent_and_accepted():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_tasks_are_acknowledged_after_they_ran_and_requeued_if_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True


def test_tasks_have_time_limits():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_the_timezone_is_beijing_time():
    assert app.conf.timezone == "Asia/Shanghai"


def test_the_beat_schedule_is_the_settings_one():
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE


@pytest.mark.parametrize("name", [
    "notifications-sweep", "notifications-daily-digest", "id-photos-purge", "meeting-reminders",
    "article9-meetings-check",
])
def test_the_beat_schedule_has_every_periodic_task(name):
    assert name in app.conf.beat_schedule


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_scheduled_task_is_a_registered_task(name):
    app.loader.import_default_modules()  # what a worker does on start: autodiscovery
    task = app.tasks.get(settings.CELERY_BEAT_SCHEDULE[name]["task"])
    assert isinstance(task, Task), f"{name}: no task named {settings.CELERY_BEAT_SCHEDULE[name]['task']}"


def test_the_sweep_runs_every_minute_and_the_digest_once_a_day():
    schedule = app.conf.beat_schedule
    assert schedule["notifications-sweep"]["schedule"] == 60
    digest = schedule["notifications-daily-digest"]["schedule"]
    assert digest.hour == {19} and digest.minute == {0}
