"""The monthly art. 9 check for meetings. Run by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .article9 import article9_check


@shared_task
def article9_meetings_check() -> int:
    """Warn members who missed 6 consecutive months of meetings; idempotent, so it may run daily."""
    return len(article9_check())
