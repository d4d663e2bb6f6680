"""`personal_data_check`: stored ID and phone numbers that are not plain ASCII in their normal form are
named by model, row and field, never by value, and the command fails; clean data passes."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ebranch.lib import crypto
from members.models import Member, User, VerificationClaim
from members.transfers import transfer_approve, transfer_request
from tests import factories
from tests.factories import full_width

ID_LABEL = "members.Member.id_number_encrypted"


def run(**kwargs) -> tuple[str, str]:
    """The output, and the error if the command failed ("" if it passed)."""
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("personal_data_check", stdout=out, **kwargs)
        except CommandError as error:
            return out.getvalue(), str(error)
    return out.getvalue(), ""


@pytest.fixture
def stored(world):
    """Every kind of row that holds an encrypted number: members, accounts, a claim, a letter."""
    claimant = User.objects.create_user("claimant@example.com", factories.TEST_PASSWORD, phone="13712345678")
    claim = VerificationClaim(user=claimant, name="林小梅", status=VerificationClaim.Status.PENDING)
    claim.set_id_number(factories.id_number(9001))
    claim.organization = world.branch
    claim.save()
    transfer = transfer_request(
        member=world.member.member, actor=world.member, reason="工作调动", to_organization=world.other_branch
    )
    transfer_approve(transfer=transfer, actor=world.secretary)
    return world


def store_raw(model, pk: int, field: str, value: str) -> None:
    """Write a value as an old row or a careless script would have: past the normaliser."""
    model._base_manager.filter(pk=pk).update(
        **{f"{field}_encrypted": crypto.encrypt(value), f"{field}_digest": crypto.digest(value)}
    )


def test_clean_data_passes(stored):
    out, error = run()
    assert error == ""
    assert f"{ID_LABEL}: {Member.objects.count()} values checked" in out
    assert "members.IntroductionLetter.phone_encrypted: 1 values checked" in out
    assert "Every stored ID and mobile number is plain ASCII in its normal form." in out


def test_a_full_width_id_number_is_reported_by_row_never_by_value(stored):
    zhang, wang = stored.member.member, stored.other_member.member
    # Zhang's record, stored again in full width: the same person as Wang's record
    store_raw(Member, zhang.pk, "id_number", full_width(wang.id_number))
    out, error = run(batch_size=2)
    line = f"{ID_LABEL} #{zhang.pk}: not ASCII (full-width or other digits); the same number as #{wang.pk}"
    assert line in out
    assert "1 stored numbers are not plain ASCII in their normal form; 0 cannot be decrypted." in error
    for shown in (wang.id_number, full_width(wang.id_number), wang.masked_id_number, wang.id_number[-4:]):
        assert shown not in out + error


def test_a_full_width_phone_on_an_account_is_reported(stored):
    user = stored.liaison
    store_raw(User, user.pk, "phone", "1" + full_width("3812345678"))
    out, error = run()
    assert f"members.User.phone_encrypted #{user.pk}: not ASCII" in out and error


def test_a_number_not_in_its_normal_form_is_reported(stored):
    claim = VerificationClaim.objects.get()
    store_raw(VerificationClaim, claim.pk, "id_number", claim.id_number[:17] + "x")  # lower-case x
    out, error = run()
    label = "members.VerificationClaim.id_number_encrypted"
    assert f"{label} #{claim.pk}: not in its normal form" in out and error


def test_a_hash_that_does_not_match_its_number_is_reported(stored):
    zhang = stored.member.member
    Member.objects.filter(pk=zhang.pk).update(id_number_digest=crypto.digest(full_width(zhang.id_number)))
    out, error = run()
    assert f"{ID_LABEL} #{zhang.pk}: its look-up hash does not match it" in out and error


def test_a_value_no_key_decrypts_is_reported(stored, settings):
    zhang = stored.member.member
    Member.objects.filter(pk=zhang.pk).update(id_number_encrypted="not-a-token")
    out, error = run()
    assert f"{ID_LABEL} #{zhang.pk}: no key decrypts it" in out
    assert "0 stored numbers are not plain ASCII in their normal form; 1 cannot be decrypted." in error
