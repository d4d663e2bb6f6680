"""What transfers need to know about a member's dues: paid up to which month, and what is unpaid.

The dues app provides it (`dues/apps.py` registers `dues.selectors.dues_standing`), so that members
never imports dues. Without a provider, a letter's "dues paid up to" is left for the officer to give.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class UnpaidMonth:
    period: datetime.date
    amount: Decimal
    organization_name: str


@dataclass(frozen=True)
class DuesStanding:
    paid_up_to: datetime.date | None  # the first day of the last month paid without a gap before it
    unpaid: tuple[UnpaidMonth, ...] = ()

    @property
    def unpaid_total(self) -> Decimal:
        return sum((month.amount for month in self.unpaid), Decimal("0.00"))


_provider: Callable | None = None


def register(provider: Callable) -> None:
    global _provider
    _provider = provider


def dues_standing(member) -> DuesStanding | None:
    """The member's dues standing, or None when no dues records are kept for them."""
    return _provider(member) if _provider is not None else None
