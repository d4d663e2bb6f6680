"""The check-in window and the rotating in-person code.

The code is 6 digits from HMAC(meeting.checkin_secret, minute number); the officer's screen shows the
current one, and the code of the previous minute is still accepted so that a member typing it as the
minute turns is not refused.
"""

import datetime
import hashlib
import hmac
import unicodedata

from django.utils import timezone

EARLY = datetime.timedelta(minutes=15)
DIGITS = 6


def minute_number(when: datetime.datetime) -> int:
    return int(when.timestamp()) // 60


def code_at(meeting, when: datetime.datetime) -> str:
    mac = hmac.new(meeting.checkin_secret.encode(), str(minute_number(when)).encode(), hashlib.sha256)
    return f"{int(mac.hexdigest(), 16) % 10**DIGITS:0{DIGITS}d}"


def code_is_valid(meeting, code: str, when: datetime.datetime | None = None) -> bool:
    when = when or timezone.now()
    # NFKC: a code typed in full width (１２３４５６) is the same code; bytes compare whatever was typed
    code = "".join(unicodedata.normalize("NFKC", code or "").split()).encode()
    candidates = (code_at(meeting, when), code_at(meeting, when - datetime.timedelta(minutes=1)))
    # compare every candidate, so the time taken does not say which one matched
    return any([hmac.compare_digest(code, candidate.encode()) for candidate in candidates])


def window_opens_at(meeting) -> datetime.datetime:
    return meeting.starts_at - EARLY


def window_is_open(meeting, when: datetime.datetime | None = None) -> bool:
    when = when or timezone.now()
    return not meeting.is_cancelled and window_opens_at(meeting) <= when <= meeting.ends_at


def seconds_to_next_minute(when: datetime.datetime | None = None) -> int:
    when = when or timezone.now()
    return 60 - int(when.timestamp()) % 60
