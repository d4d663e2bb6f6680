"""Validation of resident ID numbers (GB 11643) and mobile numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
PHONE_PATTERN = re.compile(r"^1\d{10}$")


def id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_birth_date(value: str) -> datetime.date:
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_sex(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> str:
    """Return the normalized ID number, or raise ValidationError with a message for the user."""
    value = normalize_id_number(value)
    if not ID_PATTERN.match(value):
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
    return re.sub(r"[\s-]", "", value or "").removeprefix("+86")


def validate_phone(value: str) -> str:
    value = normalize_phone(value)
    if not PHONE_PATTERN.match(value):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."), code="phone_format")
    return value


def id_number_build(*, area_code: str, birth_date: datetime.date, sequence: int, sex: str) -> str:
    """A checksum-valid ID number; `sequence` (0..499) picks the order code, `sex` its parity."""
    order = sequence * 2 + (1 if sex == "male" else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)
