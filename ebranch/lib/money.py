"""Money for people: amounts in figures and in capital Chinese numerals, as on financial documents.

Capitals follow the usual bank rules: 壹拾 (never a bare 拾), one 零 for a run of zeros inside the
number, no 零 at a 万/亿 boundary or before 角, 整 only after 元, and 零 before 分 when 角 is zero
(1005.50 → 壹仟零伍元伍角, 100000.00 → 壹拾万元整, 15.05 → 壹拾伍元零伍分, 0.20 → 贰角).
"""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def to_fen(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def _yuan_capitals(yuan: int) -> str:
    digits = str(yuan)
    out, zero_pending, group_has_digit = [], False, False
    for index, char in enumerate(digits):
        position = len(digits) - 1 - index
        digit = int(char)
        if digit:
            if zero_pending:
                out.append("零")
            out.append(DIGITS[digit] + UNITS[position % 4])
            zero_pending, group_has_digit = False, True
        else:
            zero_pending = bool(out)
        if position % 4 == 0 and position and group_has_digit:
            out.append(GROUPS[position // 4])
            zero_pending, group_has_digit = False, False
    return "".join(out)


def yuan_in_capitals(amount: Decimal) -> str:
    """The amount (yuan, rounded half-up to the fen) in capital numerals, e.g. 120 → 壹佰贰拾元整."""
    amount = to_fen(amount)
    if amount < 0:
        raise ValueError("negative amount")
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan >= 10**16:
        raise ValueError("amount too large")
    if not fen_total:
        return "零元整"
    text = _yuan_capitals(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


def format_yuan(amount: Decimal) -> str:
    """¥1,234.50"""
    return f"¥{to_fen(amount):,.2f}"
