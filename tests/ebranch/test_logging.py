"""The logging filter: no ID number or mobile number reaches a log line, however it was logged."""

import io
import logging

import pytest

from ebranch.lib.logging import MaskPersonalData, mask_text
from tests.factories import full_width

ID = "35082219900517001X"
PHONE = "13912345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"id {ID} end", "id 350822********001X end"),
        (f"id {ID.lower()}", "id 350822********001x"),
        (f"身份证号{ID}，手机{PHONE}。", "身份证号350822********001X，手机139****5678。"),
        (f"args=('{ID}', '{PHONE}')", "args=('350822********001X', '139****5678')"),
        (f"tel:+86{PHONE}", "tel:139****5678"),
        ("call 139-1234-5678 or 139 1234 5678", "call 139****5678 or 139****5678"),
        (f'{{"phone": "{PHONE}"}}', '{"phone": "139****5678"}'),
        # Typed in full width: masked as well.
        (f"id {full_width(ID)}", "id ３５０８２２********００１Ｘ"),
        (f"手机{full_width('+86 139-1234-5678')}", "手机１３９****５６７８"),
        # Not personal data: longer digit runs, hex digests, ordinary numbers.
        ("order 1391234567890", "order 1391234567890"),
        ("digest a13912345678b", "digest a13912345678b"),
        ("took 0.012s, 1278 rows, id=42", "took 0.012s, 1278 rows, id=42"),
        ("350822********001X", "350822********001X"),  # already masked
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


@pytest.fixture
def capture():
    """A logger whose only handler writes to a buffer through the filter, as settings.LOGGING does."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter("%(message)s | %(sql)s | %(params)s"))
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, buffer
    logger.removeHandler(handler)


def test_arguments_and_extras_are_masked(capture):
    logger, buffer = capture
    logger.info(
        "claim %s by %s", ID, int(PHONE),
        extra={"sql": f"SELECT 1 WHERE phone = '{PHONE}'", "params": (ID, [PHONE], {"p": PHONE}, 7)},
    )
    line = buffer.getvalue()
    assert ID not in line and PHONE not in line
    assert "claim 350822********001X by 139****5678" in line
    assert "('350822********001X', ['139****5678'], {'p': '139****5678'}, 7)" in line


def test_mapping_arguments_are_masked(capture):
    logger, buffer = capture
    logger.warning("member %(id)s", {"id": ID}, extra={"sql": "", "params": ()})
    assert buffer.getvalue().startswith("member 350822********001X |")


def test_exception_text_is_masked(capture):
    logger, buffer = capture
    try:
        raise ValueError(f"bad ID {ID}")
    except ValueError:
        logger.exception("failed for %s", PHONE, extra={"sql": "", "params": ()})
    output = buffer.getvalue()
    assert "Traceback" in output and "ValueError: bad ID 350822********001X" in output
    assert ID not in output and PHONE not in output


def configured_handlers():
    """Every handler the project's LOGGING left on a logger (pytest's own capture handlers aside)."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            ours = not type(handler).__module__.startswith("_pytest")
            if ours and type(handler) is not logging.NullHandler:
                yield getattr(logger, "name", "root"), handler


def test_every_configured_handler_masks():
    handlers = list(configured_handlers())
    assert handlers, "the root logger has the console handler"
    unmasked = [name for name, h in handlers if not any(isinstance(f, MaskPersonalData) for f in h.filters)]
    assert not unmasked


def test_django_loggers_reach_the_masking_console(settings):
    console = next(h for name, h in configured_handlers() if name == "root")
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    try:
        logging.getLogger("django.request").error("Not Found: /members/?q=%s", PHONE)
        logging.getLogger("django.server").info('"GET /?id=%s HTTP/1.1" 200', ID)
    finally:
        console.setStream(previous)
    output = buffer.getvalue()
    assert "Not Found: /members/?q=139****5678" in output and "id=350822********001X" in output
    assert ID not in output and PHONE not in output
