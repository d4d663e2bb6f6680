import datetime

import pytest
from django.utils import timezone

from meetings import checkin
from tests.factories import full_width
from tests.meetings.scheduling import schedule

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def meeting(world):
    return schedule(world, mode="in_person", address="厦门市思明区")


def test_code_is_six_digits_and_steady_within_the_minute(meeting):
    start = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.UTC)
    code = checkin.code_at(meeting, start)
    assert len(code) == 6 and code.isdigit()
    assert checkin.code_at(meeting, start + datetime.timedelta(seconds=59)) == code


def test_code_rotates_every_minute_and_differs_between_meetings(world, meeting):
    start = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.UTC)
    codes = {checkin.code_at(meeting, start + n * MINUTE) for n in range(10)}
    assert len(codes) == 10
    other = schedule(world, mode="in_person", address="厦门")
    assert checkin.code_at(other, start) != checkin.code_at(meeting, start)


def test_current_and_previous_minute_codes_are_valid_older_ones_not(meeting):
    now = datetime.datetime(2026, 11, 26, 12, 5, 10, tzinfo=datetime.UTC)
    assert checkin.code_is_valid(meeting, checkin.code_at(meeting, now), now)
    assert checkin.code_is_valid(meeting, checkin.code_at(meeting, now - MINUTE), now)
    assert not checkin.code_is_valid(meeting, checkin.code_at(meeting, now - 2 * MINUTE), now)
    assert not checkin.code_is_valid(meeting, checkin.code_at(meeting, now + MINUTE), now)
    assert not checkin.code_is_valid(meeting, "", now)


def test_a_code_typed_in_full_width_is_the_same_code(meeting):
    now = datetime.datetime(2026, 11, 26, 12, 5, 10, tzinfo=datetime.UTC)
    code = checkin.code_at(meeting, now)
    assert checkin.code_is_valid(meeting, full_width(code), now)
    assert checkin.code_is_valid(meeting, f"{full_width(code[:3])}\u3000{code[3:]}", now)


@pytest.mark.parametrize("typed", ["٠١٢٣٤٥", "１２３４５６７", "é"])
def test_a_code_in_other_characters_is_refused_not_an_error(meeting, typed):
    now = datetime.datetime(2026, 11, 26, 12, 5, 10, tzinfo=datetime.UTC)
    assert not checkin.code_is_valid(meeting, typed, now)


def test_window_opens_fifteen_minutes_before_and_closes_at_the_end(meeting):
    start, end = meeting.starts_at, meeting.ends_at
    assert not checkin.window_is_open(meeting, start - datetime.timedelta(minutes=15, seconds=1))
    assert checkin.window_is_open(meeting, start - datetime.timedelta(minutes=15))
    assert checkin.window_is_open(meeting, start)
    assert checkin.window_is_open(meeting, end)
    assert not checkin.window_is_open(meeting, end + datetime.timedelta(seconds=1))


def test_no_window_for_a_cancelled_meeting(world, meeting):
    from meetings.services import meeting_cancel

    meeting_cancel(actor=world.liaison, meeting=meeting, reason="台风")
    assert not checkin.window_is_open(meeting, meeting.starts_at)


def test_code_screen_refreshes_at_the_next_minute():
    now = timezone.now().replace(second=45)
    assert checkin.seconds_to_next_minute(now) == 15
