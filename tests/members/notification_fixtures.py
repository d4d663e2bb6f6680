"""Fixtures for the notification tests: tasks run in-process, SMS captured."""

import pytest

from ebranch.celery import app
from members import sms


@pytest.fixture
def eager(settings):
    """Tasks run in-process, as without Redis; CI sets REDIS_URL, so the tests must say so."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "members.sms.CaptureBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
