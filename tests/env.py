"""Loaded by pytest before Django: tests run on the embedded development defaults, and, with
`--clock`, on another day."""

import datetime
import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_DEBUG", "1")

# pytest-xdist's workers each get a database (pytest-django) and a Redis database of their own,
# so that tests that read every key of Redis see only their own worker's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _url = urlsplit(os.environ["REDIS_URL"])
    _base = int(_url.path.strip("/") or 0)  # the workers take the databases after the one given
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{(_base + 1 + int(_worker[2:])) % 16}"))

# The days the suite is also run on (`.ci/run`): the last day of a month, New Year's Eve, a leap
# day, and Monday 00:05 in Beijing, which is still Sunday (and the last day of January) in UTC.
CLOCK_DAYS = {
    "month-end": "2027-04-30T23:30:00+08:00",
    "new-years-eve": "2026-12-31T23:30:00+08:00",
    "leap-day": "2028-02-29T12:00:00+08:00",
    "monday-0005": "2027-02-01T00:05:00+08:00",
}


def pytest_addoption(parser):
    parser.addoption(
        "--clock", metavar="WHEN",
        help="start the clock at WHEN (ISO 8601 with offset, or one of: " + ", ".join(CLOCK_DAYS) + ")",
    )


def pytest_configure(config):
    when = config.getoption("--clock")
    if not when:
        return
    import time_machine

    moment = datetime.datetime.fromisoformat(CLOCK_DAYS.get(when, when))
    if moment.tzinfo is None:
        raise ValueError("--clock needs a time with its UTC offset, e.g. 2027-02-01T00:05:00+08:00")
    # The clock runs on from that moment, so time still passes within a test.
    config._clock_travel = time_machine.travel(moment, tick=True)
    config._clock_travel.start()


def pytest_report_header(config):
    when = config.getoption("--clock")
    return f"clock: {CLOCK_DAYS.get(when, when)}" if when else None


def pytest_unconfigure(config):
    travel = getattr(config, "_clock_travel", None)
    if travel is not None:
        travel.stop()
