"""Daily deadlines of membership transfers and activity cards (scheduled in settings.CELERY_BEAT_SCHEDULE).

Each task calls its service with today's date; the services claim every row with a conditional update,
so a repeated run the same day does nothing.
"""

from celery import shared_task
from django.utils import timezone

from .activity_cards import activity_cards_expire
from .letters import letter_pdf_render  # noqa: F401 (registered with the worker together with these)
from .transfers import letters_expire, letters_remind


@shared_task
def letters_expire_task() -> int:
    """Letters past their validity expire; the member and both sides are told once."""
    return letters_expire(today=timezone.localdate())


@shared_task
def letters_remind_task() -> int:
    """Receivers (or, for an outside receiver, the sender) of letters waiting over a month, weekly."""
    return letters_remind(today=timezone.localdate())


@shared_task
def activity_cards_expire_task() -> int:
    """Activity cards past their end date end."""
    return activity_cards_expire(today=timezone.localdate())
