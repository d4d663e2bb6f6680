from decimal import Decimal

import pytest

from ebranch.lib.money import format_yuan, yuan_in_capitals

CASES = [
    ("0.00", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.20", "贰角"),
    ("0.25", "贰角伍分"),
    ("1.00", "壹元整"),
    ("10.00", "壹拾元整"),
    ("15.05", "壹拾伍元零伍分"),
    ("15.50", "壹拾伍元伍角"),
    ("19.99", "壹拾玖元玖角玖分"),
    ("100.00", "壹佰元整"),
    ("101.00", "壹佰零壹元整"),
    ("110.00", "壹佰壹拾元整"),
    ("120.00", "壹佰贰拾元整"),
    ("1005.50", "壹仟零伍元伍角"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("3000.01", "叁仟元零壹分"),
    ("10000.00", "壹万元整"),
    ("100000.00", "壹拾万元整"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("101000.00", "壹拾万壹仟元整"),
    ("1000001.00", "壹佰万零壹元整"),
    ("10000001.00", "壹仟万零壹元整"),
    ("100000000.00", "壹亿元整"),
    ("100000001.00", "壹亿零壹元整"),
    ("120050008.07", "壹亿贰仟零伍万零捌元零柒分"),
]


@pytest.mark.parametrize(("amount", "capitals"), CASES)
def test_capitals(amount, capitals):
    assert yuan_in_capitals(Decimal(amount)) == capitals


def test_capitals_round_half_up_to_the_fen():
    assert yuan_in_capitals(Decimal("0.125")) == "壹角叁分"
    assert yuan_in_capitals(Decimal("0.124")) == "壹角贰分"


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        yuan_in_capitals(Decimal("-1"))


def test_format_yuan():
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_yuan(Decimal("0.005")) == "¥0.01"
