"""THE notification service: every message to members goes through `notification_send`.

It writes one inbox row per recipient inside the caller's transaction, then (on commit) asks Celery to
deliver them by id. If the broker is down the rows stay pending and `notifications_sweep` delivers them.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ebranch.lib.logging import mask_text
from members.models import EmailDelivery, User

from .models import Notification

logger = logging.getLogger(__name__)

Delivery = Notification.Delivery


def _accounts(recipients: Iterable) -> list[User]:
    """Accounts from users or roster members (members without an account are left out), once each."""
    seen, accounts = set(), []
    for recipient in recipients:
        user = recipient if isinstance(recipient, User) else getattr(recipient, "user", None)
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            accounts.append(user)
    return accounts


def _email_state(user: User) -> str:
    if not user.email or user.email_delivery == EmailDelivery.NONE:
        return Delivery.SKIPPED
    if user.email_delivery == EmailDelivery.DAILY:
        return Delivery.DIGEST
    return Delivery.PENDING


def notification_send(*, recipients, kind: str, title: str, body: str = "", url: str = "",
                      urgent: bool = False, now: datetime.datetime | None = None) -> list[Notification]:
    """Write one inbox row per recipient (users or members) and schedule delivery after commit.

    Email follows each account's `email_delivery`; urgent notifications also go by SMS. Title and body
    are masked, so no ID or mobile number is ever stored in a notification or sent out. Rows are
    stamped `now`, the time of the job that sends them when it has one."""
    now = now or timezone.now()
    title, body = mask_text(str(title))[:200], mask_text(str(body))
    rows = [
        Notification(
            recipient=user, kind=kind, title=title, body=body, url=url[:300], urgent=urgent, created_at=now,
            email_state=_email_state(user),
            sms_state=Delivery.PENDING if urgent and user.phone_encrypted else Delivery.SKIPPED,
        )
        for user in _accounts(recipients)
    ]
    Notification.objects.bulk_create(rows)
    due = [row.pk for row in rows if Delivery.PENDING in (row.email_state, row.sms_state)]
    if due:
        transaction.on_commit(lambda: notifications_enqueue(due))
    return rows


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Hand the ids to Celery. A broker failure is logged, never raised: the sweep delivers later."""
    from .tasks import notifications_deliver

    try:
        notifications_deliver.delay(notification_ids)
    except Exception:
        logger.exception("Could not enqueue notifications %s; the sweep will deliver them", notification_ids)


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_settings_update(*, user: User, email_delivery: str) -> None:
    """Choose how notifications arrive by email. Leaving the digest drops what was waiting for it
    (it stays in the inbox)."""
    if email_delivery not in EmailDelivery.values:
        raise ValueError(email_delivery)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email_delivery=email_delivery)
        if email_delivery != EmailDelivery.DAILY:
            Notification.objects.filter(recipient=user, email_state=Delivery.DIGEST).update(
                email_state=Delivery.SKIPPED
            )
    user.email_delivery = email_delivery

