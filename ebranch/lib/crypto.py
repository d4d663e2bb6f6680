"""Encryption and keyed hashing for personal data at rest (PIPL)."""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every encrypted column ("app_label.Model.field"), for key rotation (`manage.py rotate_field_keys`).
# A test checks that each model field named `*_encrypted` is listed here.
ENCRYPTED_FIELDS = (
    "members.User.phone_encrypted",
    "members.Member.id_number_encrypted",
    "members.Member.phone_encrypted",
    "members.VerificationClaim.id_number_encrypted",
    "members.IntroductionLetter.id_number_encrypted",
    "members.IntroductionLetter.phone_encrypted",
)
# Tokens inside JSON columns: the keys that hold one (or a list of them). allauth's MFA stores
# TOTP secrets and recovery-code seeds encrypted with these keys (members/security.py).
ENCRYPTED_JSON_KEYS = {
    "mfa.Authenticator.data": ("secret", "seed", "migrated_codes"),
}


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode() if token else ""


def is_current(token: str) -> bool:
    """Was `token` encrypted with the first (current) key? Checks the signature, does not decrypt."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode()).extract_timestamp(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt `token` with the first key; raises InvalidToken if no key opens it."""
    return fernet().rotate(token.encode()).decode()


def digest(value: str) -> str:
    """A keyed hash for look-up and uniqueness; without the key it reveals nothing."""
    if not value:
        return ""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
