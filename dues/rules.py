"""The dues rules as data: one function turns a category and a monthly base into a monthly amount."""

import datetime
import decimal
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Category, RateBracket

FEN = Decimal("0.01")
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
REDUCED_AMOUNT = Decimal("0.20")


def rounding() -> str:
    """The rounding mode for the fen; half-up unless the DUES_ROUNDING setting says otherwise."""
    mode = getattr(settings, "DUES_ROUNDING", decimal.ROUND_HALF_UP)
    return getattr(decimal, mode) if hasattr(decimal, str(mode)) else mode


def to_fen(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(FEN, rounding=rounding())


def brackets_in_force(category: str, on: datetime.date) -> list[RateBracket]:
    """The rows of the newest table for `category` in force on `on` (one query)."""
    rows = list(
        RateBracket.objects.filter(category=category, effective_from__lte=on)
        .order_by("-effective_from", "lower")
    )
    if not rows:
        return []
    newest = rows[0].effective_from
    return [row for row in rows if row.effective_from == newest]


def _covers(row: RateBracket, base: Decimal) -> bool:
    return (row.lower is None or base > row.lower) and (row.upper is None or base <= row.upper)


def monthly_amount(
    *, category: str, base: Decimal, on: datetime.date, fixed_amount: Decimal | None = None
) -> Decimal:
    """The monthly dues for a base in force on `on`: the WHOLE base times the rate of its bracket.

    Farmers pay a fixed amount per member (0.20–1.00); students, unemployed members and members on
    relief pay the fixed amount of their table row (0.20 in the 2008 table).
    """
    if category == Category.FARMER:
        if fixed_amount is None:
            fixed_amount = FARMER_MIN
        fixed_amount = Decimal(fixed_amount)
        if not FARMER_MIN <= fixed_amount <= FARMER_MAX:
            raise ValidationError(_("A farmer's dues are between 0.20 and 1.00 yuan a month."))
        return to_fen(fixed_amount)
    base = Decimal(base)
    if base < 0:
        raise ValidationError(_("The base cannot be negative."))
    rows = brackets_in_force(category, on)
    if category == Category.REDUCED and not rows:
        return REDUCED_AMOUNT
    for row in rows:
        if _covers(row, base):
            if row.fixed_amount is not None:
                return to_fen(row.fixed_amount)
            return to_fen(base * row.rate)
    raise ValidationError(_("No dues rate is in force for this category on %(date)s.") % {"date": on})
