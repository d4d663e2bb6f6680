from ebranch.lib import crypto
from ebranch.lib.masking import mask_id_number, mask_phone


def test_masks_show_first_and_last_characters_only():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number("") == "" and mask_phone("") == ""


def test_encryption_round_trips_and_hides_the_value():
    token = crypto.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token) == "11010519491231002X"


def test_digest_is_keyed_and_stable(settings):
    first = crypto.digest("13912345678")
    assert first == crypto.digest("13912345678") and "13912345678" not in first
    settings.FIELD_HASH_KEY = "another-key"
    assert crypto.digest("13912345678") != first
