"""Periodic work on member data (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from .verification import claim_photos_purge, photos_due


@shared_task
def id_photos_purge() -> int:
    """Delete the ID-card photos of claims decided more than ID_PHOTO_RETENTION_DAYS days ago.
    Idempotent: each claim is taken with a conditional update, so a second run deletes nothing."""
    now = timezone.now()
    due = list(photos_due(now=now).order_by("pk").values_list("pk", flat=True))
    return sum(claim_photos_purge(claim_id=pk, now=now) for pk in due)
