"""Re-authentication before casting: the account's password, or a current code from the authenticator
app (allauth.mfa TOTP) for those who have one.

Failures are counted per account in the cache (Redis when REDIS_URL is set): after `MAX_FAILURES`
within `WINDOW_SECONDS` every attempt is refused until the window ends. Nothing here logs anything,
and nothing about the ballot or the choices comes here.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(user) -> str:
    return f"votes.reauth.failures:{user.pk}"


def failures(user) -> int:
    return cache.get(_key(user), 0)


def is_locked_out(user) -> bool:
    return failures(user) >= MAX_FAILURES


def _fail(user) -> None:
    key = _key(user)
    if not cache.add(key, 1, timeout=WINDOW_SECONDS):  # the window starts at the first failure
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS)


def totp_authenticator(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def _code_ok(user, code: str) -> bool:
    authenticator = totp_authenticator(user)
    # allauth marks a good code as used, so the same code cannot be replayed within its window
    return authenticator is not None and TOTP(authenticator).validate_code(code)


def reauthenticate(user, *, password: str = "", code: str = "") -> bool:
    """True when the password is the account's or the code is a current, unused TOTP code.

    Refused without checking while the account is locked out; a failure counts towards the limit."""
    if not user.is_authenticated or is_locked_out(user):
        return False
    password, code = password or "", (code or "").strip().replace(" ", "")
    if (password and user.check_password(password)) or (code and _code_ok(user, code)):
        cache.delete(_key(user))
        return True
    _fail(user)
    return False
