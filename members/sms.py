"""Pluggable SMS delivery. `settings.SMS_BACKEND` names the class; the default logs, tests capture."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from ebranch.lib.masking import mask_phone

logger = logging.getLogger(__name__)

outbox: list[dict] = []


class BaseBackend:
    def send(self, *, phone: str, message: str) -> None:
        raise NotImplementedError


class LogBackend(BaseBackend):
    """Writes messages (verification codes included) to the log; for development only."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class CaptureBackend(BaseBackend):
    """Keeps messages in `members.sms.outbox` for tests."""

    def send(self, *, phone: str, message: str) -> None:
        outbox.append({"phone": phone, "message": message})


def sms_send(*, phone: str, message: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone=phone, message=message)
