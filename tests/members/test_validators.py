import datetime

import pytest
from django.core.exceptions import ValidationError

from members.validators import id_number_build, id_sex, validate_id_number, validate_phone


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
