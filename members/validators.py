"""Validation of resident ID numbers (GB 11643) and mobile numbers.

Each kind has one normaliser, used wherever a number is validated, hashed or stored: NFKC first, so that
full-width digits typed on a Chinese keyboard (３５０８２２…) become ASCII; then the patterns accept the
ASCII digits [0-9] only (a regex's digit class would let any script's digits through).
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
PHONE_PATTERN = re.compile(r"1[0-9]{10}")
DIGITS = "0123456789"


def id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(DIGITS.index(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """NFKC (full-width digits and Ｘ become ASCII), without any spaces, x upper-case. Not yet valid."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def id_birth_date(value: str) -> datetime.date:
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_sex(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> str:
    """Return the normalized ID number, or raise ValidationError with a message for the user."""
    value = normalize_id_number(value)
    if not ID_PATTERN.fullmatch(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_format"
        )
    try:
        birth = id_birth_date(value)
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number does not exist."), code="id_birth_date"
        ) from None
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError(_("The birth date in this ID number is not possible."), code="id_birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID number's check character is wrong; please check each digit."), code="id_checksum"
        )
    return value


def normalize_phone(value: str) -> str:
    """NFKC (full-width digits, ＋ and － become ASCII), without spaces or hyphens or +86. Not yet valid."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or "")).removeprefix("+86")


def validate_phone(value: str) -> str:
    value = normalize_phone(value)
    if not PHONE_PATTERN.fullmatch(value):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."), code="phone_format")
    return value


def id_number_build(*, area_code: str, birth_date: datetime.date, sequence: int, sex: str) -> str:
    """A checksum-valid ID number; `sequence` (0..499) picks the order code, `sex` its parity."""
    order = sequence * 2 + (1 if sex == "male" else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)
