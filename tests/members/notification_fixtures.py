"""Fixtures for the notification tests: SMS captured (tasks run in-process: `eager`, tests/conftest.py)."""

import pytest

from members import sms


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "members.sms.CaptureBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
