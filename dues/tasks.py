"""Monthly bills. Run by beat on the 1st at 00:10 Asia/Shanghai (CELERY_BEAT_SCHEDULE)."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def bills_generate_monthly(period: str | None = None) -> int:
    """Make this month's bills (or those of `period`, YYYY-MM-DD); idempotent, so a rerun makes none."""
    day = datetime.date.fromisoformat(period) if period else timezone.localdate()
    return services.bills_generate(period=day)
