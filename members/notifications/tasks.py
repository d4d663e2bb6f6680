"""Delivery of notifications by email and SMS. Tasks take ids and are idempotent: each row is claimed
with a conditional update (pending → sent) before anything is sent, so a repeat sends nothing."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from members.sms import sms_send

from .models import Notification

logger = logging.getLogger(__name__)

Delivery = Notification.Delivery
SWEEP_AGE = timedelta(minutes=1)


def _site_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path if getattr(settings, "SITE_URL", "") else path


def _plain(template_name: str, context: dict) -> str:
    """Plain text (a subject, a text body) is never HTML-escaped: "A & B" stays "A & B"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _email(*, to: str, template: str, context: dict) -> None:
    context = {**context, "site_url": getattr(settings, "SITE_URL", "")}
    base = f"members/notifications/email/{template}"
    subject = " ".join(_plain(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, _plain(f"{base}.txt", context), to=[to])
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()


def _claim(pk: int, field: str) -> bool:
    """Take the row's email or SMS delivery: True for exactly one caller while it is pending."""
    stamp = "emailed_at" if field == "email_state" else "sms_sent_at"
    return bool(
        Notification.objects.filter(pk=pk, **{field: Delivery.PENDING}).update(
            **{field: Delivery.SENT, stamp: timezone.now()}
        )
    )


def _release(pk: int, field: str) -> None:
    stamp = "emailed_at" if field == "email_state" else "sms_sent_at"
    Notification.objects.filter(pk=pk).update(**{field: Delivery.PENDING, stamp: None})


def notification_deliver(notification_id: int) -> int:
    """Send one notification's pending email and SMS; returns how many messages went out.
    A failed send puts the row back to pending for the next sweep."""
    return _email_one(notification_id) + _sms(notification_id)


def _email_one(notification_id: int) -> int:
    if not _claim(notification_id, "email_state"):
        return 0
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not notification.recipient.email:  # removed since: nothing to send to
        Notification.objects.filter(pk=notification_id).update(email_state=Delivery.SKIPPED)
        return 0
    try:
        _email(to=notification.recipient.email, template="notification", context={
            "notification": notification, "link": _site_url(notification.url), "user": notification.recipient,
        })
    except Exception:
        _release(notification_id, "email_state")
        logger.exception("Email for notification %s failed; it stays pending", notification_id)
        return 0
    return 1


def _sms(notification_id: int) -> int:
    if not _claim(notification_id, "sms_state"):
        return 0
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    phone = notification.recipient.phone
    if not phone:
        Notification.objects.filter(pk=notification_id).update(sms_state=Delivery.SKIPPED)
        return 0
    try:
        sms_send(phone=phone, message=notification.title)
    except Exception:
        _release(notification_id, "sms_state")
        logger.exception("SMS for notification %s failed; it stays pending", notification_id)
        return 0
    return 1


@shared_task
def notifications_deliver(notification_ids: list[int]) -> int:
    return sum(notification_deliver(pk) for pk in notification_ids)


def notifications_due(*, now=None):
    """Rows with an email or SMS still pending for more than a minute (their task never ran)."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(email_state=Delivery.PENDING) | Q(sms_state=Delivery.PENDING), created_at__lte=now - SWEEP_AGE
    )


@shared_task
def notifications_sweep() -> int:
    """Deliver everything still pending: nothing is lost when the broker was down."""
    due = list(notifications_due().order_by("pk").values_list("pk", flat=True))
    return sum(notification_deliver(pk) for pk in due)


def digest_deliver(user_id: int) -> int:
    """Send one account its daily digest; returns the number of notifications in it (0: nothing sent)."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(recipient_id=user_id, email_state=Delivery.DIGEST)
            .select_related("recipient").order_by("created_at", "pk")
        )
        claimed = Notification.objects.filter(
            pk__in=[row.pk for row in rows], email_state=Delivery.DIGEST
        ).update(email_state=Delivery.SENT, emailed_at=timezone.now())
    if not claimed:
        return 0
    user = rows[0].recipient
    if not user.email:
        return 0
    try:
        _email(to=user.email, template="digest", context={
            "user": user, "notifications": [(row, _site_url(row.url)) for row in rows],
        })
    except Exception:
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            email_state=Delivery.DIGEST, emailed_at=None
        )
        logger.exception("Daily digest for account %s failed; it waits for the next one", user_id)
        return 0
    return len(rows)


@shared_task
def notifications_daily_digest() -> int:
    """One email per account that chose the daily digest, with everything collected since the last."""
    users = (
        Notification.objects.filter(email_state=Delivery.DIGEST)
        .order_by("recipient_id").values_list("recipient_id", flat=True).distinct()
    )
    return sum(digest_deliver(user_id) for user_id in list(users))
