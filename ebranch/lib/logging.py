"""A logging filter that masks ID numbers and mobile numbers, so none reaches a log even by mistake.

Attached in settings.LOGGING to every handler. It formats the message with its arguments, masks
the result and drops the arguments; the attributes Django adds for SQL (`sql`, `params`) and any
exception text are masked the same way.
"""

import logging
import re

from .masking import mask_id_number, mask_phone

# Digits of any script (\d on purpose) and signs in either width: a number typed in full width
# (３５０８…, １３９…) is masked too. Not inside a longer run of digits or letters.
_AROUND = r"[\dA-Za-zＡ-Ｚａ-ｚ]"
_SEP = r"[-－ \u3000]"
# 17 digits and a check character.
ID_NUMBER = re.compile(rf"(?<!{_AROUND})\d{{17}}[\dXxＸｘ](?!{_AROUND})")
# A mainland mobile number (1 and 10 digits), maybe after +86 and maybe grouped 3-4-4.
PHONE = re.compile(
    rf"(?<!{_AROUND})(?:[+＋]?[8８][6６]{_SEP}?)?([1１]\d{{2}}){_SEP}?(\d{{4}}){_SEP}?(\d{{4}})(?!{_AROUND})"
)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def mask_text(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return PHONE.sub(lambda m: mask_phone("".join(m.groups())), text)


def mask_value(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        masked = mask_text(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(item) for item in value)
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    return value


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD:
                setattr(record, name, mask_value(value))
        return True


class DropBallotPaperSQL(logging.Filter):
    """Drops Django's SQL log records that touch ballot papers (`votes_ballotpaper`).

    With SQL logging on (DEBUG), a cast would otherwise be logged as its who-voted INSERT, with the
    member's id, next to the UPDATE that writes the paper's receipt and content: the log would tie a
    voter to a choice. Attached in settings.LOGGING to the `django.db.backends` logger, so no handler
    (a test's capture included) receives such records, and to every handler, like MaskPersonalData."""

    TABLE = "votes_ballotpaper"

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("django.db.backends"):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: judge by what there is
            message = f"{record.msg} {record.args}"
        texts = (getattr(record, "sql", None), message)
        return not any(self.TABLE in str(text).lower() for text in texts if text)
