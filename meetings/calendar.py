"""A member's meetings as an iCalendar feed (RFC 5545), at a private URL whose token is the secret."""

import datetime
import secrets

from django.db.models import QuerySet
from django.utils import timezone

from members.models import Member, User

from .compliance import member_entitled_meetings
from .models import Meeting

PAST_DAYS = 180  # how far back the feed reaches; phone calendars keep what they already have
PRODID = "-//Tulou e-Branch//ebranch//EN"
UID_DOMAIN = "ebranch.tulou"  # fixed, so a meeting keeps its UID whichever host name served the feed


def calendar_token_renew(*, user: User) -> str:
    """Give the user a new private feed URL token; the old URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def calendar_token_revoke(*, user: User) -> None:
    user.calendar_token = ""
    user.save(update_fields=["calendar_token"])


def calendar_user(token: str) -> User | None:
    if not token:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).select_related("member").first()


def calendar_meetings(member: Member, *, now=None) -> QuerySet[Meeting]:
    since = (now or timezone.now()) - datetime.timedelta(days=PAST_DAYS)
    return member_entitled_meetings(member).filter(ends_at__gte=since).order_by("starts_at", "pk")


def ical_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ical_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_location(meeting: Meeting) -> str:
    return meeting.address or meeting.chat_group or meeting.video_url


def calendar_feed(meetings, *, base_url: str, now=None) -> str:
    """The VCALENDAR text; `base_url` makes each meeting's page URL absolute."""
    stamp = _utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ical_text("Tulou e-Branch"),
    ]
    for meeting in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{_utc(meeting.updated_at)}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            "SUMMARY:" + ical_text(meeting.title),
        ]
        if meeting.agenda:
            lines.append("DESCRIPTION:" + ical_text(meeting.agenda))
        location = meeting_location(meeting)
        if location:
            lines.append("LOCATION:" + ical_text(location))
        lines.append(f"URL:{base_url}{meeting_url(meeting)}")
        status = "CANCELLED" if meeting.is_cancelled else "CONFIRMED"
        lines += [f"STATUS:{status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)


def meeting_url(meeting: Meeting) -> str:
    """The meeting's page, if the meetings pages are installed; else the member's attendance history."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("meetings:detail", args=[meeting.pk])
    except NoReverseMatch:
        return reverse("compliance:my_attendance")
