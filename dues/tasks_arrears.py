"""The monthly arrears check for dues. Run by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .arrears import arrears_check


@shared_task
def dues_arrears_check() -> dict:
    """Warn members 3+ months behind, alert secretaries at 6 (art. 9); idempotent, so it may run daily."""
    return arrears_check()
