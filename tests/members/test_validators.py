import datetime

import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    id_number_build,
    id_sex,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
)
from tests import factories
from tests.factories import full_width


def test_domain_example_is_valid():
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110108196711301866", "id_checksum"),  # DOMAIN.md's invalid example
        ("11010519491231002", "id_format"),  # 17 characters
        ("11010519491231002XX", "id_format"),
        ("1101051949123100A2", "id_format"),
        ("", "id_format"),
        ("350822199002300011", "id_birth_date"),  # 30 February
        ("350822199013010011", "id_birth_date"),  # month 13
    ],
)
def test_invalid_id_numbers(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


def test_future_birth_date_is_refused():
    future = datetime.date.today() + datetime.timedelta(days=400)
    value = id_number_build(area_code="350822", birth_date=future, sequence=1, sex="male")
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == "id_birth_date"


@pytest.mark.parametrize("sex", ["male", "female"])
def test_built_numbers_validate_and_carry_sex(sex):
    value = id_number_build(area_code="350822", birth_date=datetime.date(1992, 2, 29), sequence=37, sex=sex)
    assert validate_id_number(value) == value
    assert id_sex(value) == sex


@pytest.mark.parametrize("value", ["13912345678", "139 1234 5678", "+8613912345678", "139-1234-5678"])
def test_valid_phones_are_normalized(value):
    assert validate_phone(value) == "13912345678"


@pytest.mark.parametrize("value", ["23912345678", "1391234567", "139123456789", "1391234567a", ""])
def test_invalid_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


# Full-width and other non-ASCII digits: NFKC first, then ASCII only


def test_full_width_id_number_is_stored_in_ascii():
    assert validate_id_number(full_width("11010519491231002x")) == "11010519491231002X"


def test_id_number_with_full_width_digits_and_an_ascii_check_character_is_stored_in_ascii():
    """The one that used to pass unconverted: 17 full-width digits and an ASCII check character."""
    value = factories.id_number(9001)
    assert validate_id_number(full_width(value[:17]) + value[17]) == value


def test_spaces_of_any_width_inside_an_id_number_are_dropped():
    assert validate_id_number("110105\u300019491231 002X") == "11010519491231002X"


def in_digits(value: str, digits: str) -> str:
    return value.translate({ord(str(n)): digits[n] for n in range(10)})


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"])  # Arabic-Indic, Devanagari
def test_digits_that_nfkc_leaves_alone_are_refused(digits):
    """NFKC leaves them as they are, and `int()` would read them: only ASCII digits pass."""
    with pytest.raises(ValidationError) as error:
        validate_id_number(in_digits("11010519491231002X", digits))
    assert error.value.code == "id_format"


def test_digits_that_nfkc_makes_ascii_are_accepted():
    assert validate_id_number(in_digits("11010519491231002X", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")) == "11010519491231002X"


def test_normalize_id_number_is_the_form_stored():
    assert normalize_id_number(full_width(" 11010519491231002x ")) == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    [full_width("13912345678"), "1" + full_width("3912345678"), full_width("+86 139-1234-5678"),
     "139\u30001234\u30005678"],
)
def test_full_width_phones_are_stored_in_ascii(value):
    assert validate_phone(value) == "13912345678"
    assert normalize_phone(value) == "13912345678"


@pytest.mark.parametrize("value", ["1٣٩١٢٣٤٥٦٧٨", "13912345٦٧٨"])
def test_phones_in_other_scripts_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_phone(value)
    assert error.value.code == "phone_format"

