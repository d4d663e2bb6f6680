"""Meeting reminders, 24 hours and 1 hour before. Run by beat (CELERY_BEAT_SCHEDULE)."""

import datetime

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notify, selectors
from .models import Meeting
from .services import when_text

REMINDERS = (
    # (field claimed, how long before the start, notification kind)
    ("reminder_1h_sent_at", datetime.timedelta(hours=1), "meeting_reminder_1h"),
    ("reminder_24h_sent_at", datetime.timedelta(hours=24), "meeting_reminder_24h"),
)


@shared_task
def meeting_reminders_send() -> int:
    """Send every reminder that is due and not sent yet; return how many meetings were reminded.

    Each reminder is claimed with a conditional update, so a repeated or overlapping tick sends nothing
    twice. A meeting inside the hour gets the 1-hour reminder only.
    """
    now = timezone.now()
    sent = 0
    for field, before, kind in REMINDERS:
        due = Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + before,
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for pk in due:
            sent += _remind(pk, field=field, kind=kind, now=now)
    return sent


def _remind(pk: int, *, field: str, kind: str, now) -> int:
    with transaction.atomic():
        claimed = Meeting.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now})
        if not claimed:
            return 0
        if field == "reminder_1h_sent_at":
            # the day-before reminder is pointless now
            Meeting.objects.filter(pk=pk, reminder_24h_sent_at__isnull=True).update(reminder_24h_sent_at=now)
        meeting = Meeting.objects.get(pk=pk)
        notify.send(
            recipients=selectors.invitee_accounts(meeting), kind=kind,
            title=_("Reminder: %(title)s") % {"title": meeting.title},
            body=_("Starts %(when)s, %(mode)s.")
            % {"when": when_text(meeting), "mode": meeting.get_mode_display()},
            url=reverse("meetings:detail", args=[meeting.pk]),
        )
    return 1
