"""Scheduling meetings in tests, through the service."""

import datetime

from django.utils import timezone

from meetings.models import MeetingKind
from meetings.services import meeting_schedule


def schedule(world, *, starts_in=datetime.timedelta(days=2), minutes=60, actor=None, **fields):
    start = fields.pop("starts_at", None) or timezone.now() + starts_in
    values = {
        "organization": world.branch, "kind": MeetingKind.GENERAL_MEETING, "title": "支部党员大会",
        "mode": "portal", "starts_at": start, "ends_at": start + datetime.timedelta(minutes=minutes),
    }
    values.update(fields)
    return meeting_schedule(actor=actor or world.liaison, **values)
