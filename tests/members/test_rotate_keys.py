"""`rotate_field_keys`: after rotating to a new key and dropping the old one, every record reads the same."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import translation

from ebranch.lib import crypto
from members.models import Member, User, VerificationClaim
from members.services import member_update
from members.transfers import transfer_approve, transfer_request
from tests import factories

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def columns():
    for label in crypto.ENCRYPTED_FIELDS:
        app_model, field = label.rsplit(".", 1)
        yield label, apps.get_model(app_model), field


def raw() -> dict:
    """Every stored token of every encrypted column, and the two-factor data."""
    tokens = {
        label: dict(model._base_manager.order_by("pk").values_list("pk", field))
        for label, model, field in columns()
    }
    tokens["mfa"] = dict(Authenticator.objects.order_by("pk").values_list("pk", "data"))
    return tokens


def two_factor() -> dict:
    """What the authenticators decrypt to: the TOTP secret, the recovery codes."""
    result = {}
    for authenticator in Authenticator.objects.order_by("pk"):
        if authenticator.type == Authenticator.Type.TOTP:
            result[authenticator.pk] = crypto.decrypt(authenticator.data["secret"])
        else:
            result[authenticator.pk] = RecoveryCodes(authenticator).generate_codes()
    return result


def plain() -> dict:
    values = {
        label: {pk: crypto.decrypt(token) for pk, token in tokens.items()}
        for label, tokens in raw().items() if label != "mfa"
    }
    return {**values, "mfa": two_factor()}


def rotate(**kwargs) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("rotate_field_keys", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def written_under_a(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    branch = factories.organization()
    for n in range(5):
        user = factories.user(phone=f"1380000{n:04d}")
        member = factories.member(organization=branch, user=user if n % 2 else None)
        if n == 1:
            leaving = member
        if n == 4:
            member_update(member=member, actor=None, phone="")
    # An introduction letter copies the member's ID and phone, encrypted (members/transfers.py).
    secretary = factories.user()
    factories.position(user=secretary, organization=branch)
    transfer = transfer_request(
        member=leaving, actor=secretary, reason="工作调动", to_organization=factories.organization()
    )
    transfer_approve(transfer=transfer, actor=secretary)
    officer = factories.user(phone="13700000002")
    factories.totp(officer)
    RecoveryCodes.activate(officer)
    claim = VerificationClaim(user=factories.user(phone="13700000001"), name="测试", status="pending")
    claim.set_id_number(factories.id_number())
    claim.save()
    before = plain()
    assert all(before.values()), "every encrypted column holds data"
    assert User.objects.exclude(phone_encrypted="").exists()
    assert Member.objects.filter(phone_encrypted="").exists()
    return before


def test_every_encrypted_column_is_registered_for_rotation():
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() for field in model._meta.concrete_fields
        if field.name.endswith("_encrypted")
    }
    assert found == set(crypto.ENCRYPTED_FIELDS)


def test_rotation_keeps_every_record_readable_without_the_old_key(written_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = rotate(batch_size=2)  # several batches per column
    assert "members.Member.id_number_encrypted: 5 values, 5 re-encrypted" in out
    assert "members.Member.phone_encrypted: 4 values, 4 re-encrypted" in out  # one member has no phone
    assert "members.VerificationClaim.id_number_encrypted: 1 values, 1 re-encrypted" in out
    assert "members.IntroductionLetter.id_number_encrypted: 1 values, 1 re-encrypted" in out
    assert "members.IntroductionLetter.phone_encrypted: 1 values, 1 re-encrypted" in out
    assert "mfa.Authenticator.data: 2 values, 2 re-encrypted" in out

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert plain() == written_under_a
    for label, tokens in raw().items():
        if label != "mfa":
            assert all(crypto.is_current(token) for token in tokens.values() if token)
    totp = Authenticator.objects.get(type=Authenticator.Type.TOTP)
    assert TOTP(totp).validate_code(factories.totp_code())  # the officer still signs in

    stored = raw()
    out = rotate()
    assert " 0 re-encrypted" in out and "unreadable" not in out
    assert raw() == stored  # a second run changes nothing


def test_without_the_new_key_first_nothing_is_rewritten(written_under_a, settings):
    stored = raw()
    out = rotate()
    assert out.count(" 0 re-encrypted") == len(crypto.ENCRYPTED_FIELDS) + len(crypto.ENCRYPTED_JSON_KEYS)
    assert raw() == stored


def test_a_value_no_key_opens_is_reported_and_kept(written_under_a, settings):
    member = Member.objects.first()
    Member.objects.filter(pk=member.pk).update(phone_encrypted=Fernet(Fernet.generate_key()).encrypt(b"x").decode())
    stray = Member.objects.get(pk=member.pk).phone_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    with pytest.raises(CommandError, match="1 values could not be decrypted"):
        rotate()
    assert Member.objects.get(pk=member.pk).phone_encrypted == stray
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    others = Member.objects.exclude(pk=member.pk).exclude(phone_encrypted="")
    assert all(crypto.is_current(m.phone_encrypted) for m in others)


def test_rotation_writes_no_audit_entries(written_under_a, settings):
    from auditlog.models import LogEntry

    count = LogEntry.objects.count()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    assert LogEntry.objects.count() == count
