import datetime
import decimal
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from dues.models import RateBracket
from dues.rules import monthly_amount

ON = datetime.date(2026, 1, 1)


@pytest.mark.parametrize(
    "base, amount",
    [
        ("0", "0.00"), ("0.01", "0.00"), ("2000.00", "10.00"), ("3000.00", "15.00"), ("3000.01", "30.00"),
        ("5000.00", "50.00"), ("5000.01", "75.00"), ("10000.00", "150.00"), ("10000.01", "200.00"),
        ("3333.33", "33.33"), ("2999.99", "15.00"), ("2001.00", "10.01"), ("5100.10", "76.50"),
    ],
)
def test_employed_brackets(db, base, amount):
    assert monthly_amount(category="employed", base=D(base), on=ON) == D(amount)


@pytest.mark.parametrize(
    "base, amount",
    [("0", "0.00"), ("4000.00", "20.00"), ("5000.00", "25.00"), ("5000.01", "50.00"), ("8000.00", "80.00")],
)
def test_retired_brackets(db, base, amount):
    assert monthly_amount(category="retired", base=D(base), on=ON) == D(amount)


def test_rounding_half_up_and_configurable(db, settings):
    # 2001.00 × 0.5% = 10.005: half-up gives 10.01, half-even 10.00.
    assert monthly_amount(category="employed", base=D("2001.00"), on=ON) == D("10.01")
    settings.DUES_ROUNDING = decimal.ROUND_HALF_EVEN
    assert monthly_amount(category="employed", base=D("2001.00"), on=ON) == D("10.00")
    settings.DUES_ROUNDING = "ROUND_DOWN"
    assert monthly_amount(category="employed", base=D("2001.00"), on=ON) == D("10.00")


def test_farmers_pay_a_fixed_amount_between_20_fen_and_1_yuan(db):
    assert monthly_amount(category="farmer", base=D("0"), on=ON) == D("0.20")
    assert monthly_amount(category="farmer", base=D("0"), on=ON, fixed_amount=D("0.50")) == D("0.50")
    assert monthly_amount(category="farmer", base=D("0"), on=ON, fixed_amount=D("1.00")) == D("1.00")
    for bad in ("0.19", "1.01"):
        with pytest.raises(ValidationError):
            monthly_amount(category="farmer", base=D("0"), on=ON, fixed_amount=D(bad))


def test_students_unemployed_and_relief_pay_20_fen(db):
    assert monthly_amount(category="reduced", base=D("9000"), on=ON) == D("0.20")


def test_a_new_table_takes_effect_only_from_its_date(db):
    later = datetime.date(2027, 1, 1)
    RateBracket.objects.create(category="retired", effective_from=later, upper=D("5000"), rate=D("0.004"))
    RateBracket.objects.create(category="retired", effective_from=later, lower=D("5000"), rate=D("0.008"))
    assert monthly_amount(category="retired", base=D("5000"), on=datetime.date(2026, 12, 31)) == D("25.00")
    assert monthly_amount(category="retired", base=D("5000"), on=later) == D("20.00")
    assert monthly_amount(category="retired", base=D("6000"), on=later) == D("48.00")
    # Employed members keep the 2008 table.
    assert monthly_amount(category="employed", base=D("3000"), on=later) == D("15.00")


def test_before_2008_there_is_no_rate(db):
    with pytest.raises(ValidationError):
        monthly_amount(category="employed", base=D("3000"), on=datetime.date(2008, 3, 31))


def test_negative_base_is_refused(db):
    with pytest.raises(ValidationError):
        monthly_amount(category="employed", base=D("-1"), on=ON)
