"""Ballots closing on time (scheduled every minute in settings.CELERY_BEAT_SCHEDULE), and their records.

`ballots_close_task` closes every open ballot whose voting time is over (each close counts the papers
and, for an election tied at the last seat, drafts the run-off), then asks for the PDF record of every
closed ballot that has none yet: also those an officer closed by hand. Closing claims each ballot by
its status and the record task claims its file, so a repeated run does nothing twice.
"""

from celery import shared_task
from django.utils import timezone

from . import services
from .records import ballot_record_enqueue, ballot_record_render, records_missing  # noqa: F401 (registered)


@shared_task
def ballots_close_task() -> int:
    """Close the ballots that are due; return how many were closed."""
    closed = services.ballots_close_due(now=timezone.now())
    for ballot_id in records_missing():
        ballot_record_enqueue(ballot_id)
    return closed
