"""Re-authentication before casting: the password, or a current TOTP code for those who have an app;
failures are limited per account."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from tests import factories
from votes import reauth


@pytest.fixture(autouse=True)
def clean_cache():
    """Failure counters and used TOTP codes live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voter(db):
    return factories.user(name="投票人", email="voter@example.com")


@pytest.fixture
def voter_with_app(db):
    user = factories.user(name="有验证器", email="app@example.com")
    factories.totp(user)
    return user


def test_the_accounts_password_passes(voter):
    assert reauth.reauthenticate(voter, password=factories.TEST_PASSWORD)


def test_a_wrong_or_missing_password_fails_and_counts(voter):
    assert not reauth.reauthenticate(voter, password="wrong password")
    assert not reauth.reauthenticate(voter)
    assert reauth.failures(voter) == 2


def test_a_current_code_from_the_app_passes_once(voter_with_app):
    code = factories.totp_code()
    assert reauth.reauthenticate(voter_with_app, code=code)
    assert not reauth.reauthenticate(voter_with_app, code=code)  # a used code cannot be replayed


def test_a_code_with_a_space_is_read(voter_with_app):
    code = factories.totp_code()
    assert reauth.reauthenticate(voter_with_app, code=f"{code[:3]} {code[3:]}")


def test_the_password_still_works_for_users_with_an_app(voter_with_app):
    assert reauth.reauthenticate(voter_with_app, password=factories.TEST_PASSWORD)


def test_a_wrong_code_fails(voter_with_app):
    wrong = "000000" if factories.totp_code() != "000000" else "111111"
    assert not reauth.reauthenticate(voter_with_app, code=wrong)


def test_a_code_without_an_app_fails(voter):
    assert not reauth.reauthenticate(voter, code=factories.totp_code())


def test_five_failures_lock_the_account_out_even_with_the_right_password(voter):
    for _ in range(reauth.MAX_FAILURES):
        assert not reauth.reauthenticate(voter, password="wrong")
    assert reauth.is_locked_out(voter)
    assert not reauth.reauthenticate(voter, password=factories.TEST_PASSWORD)


def test_the_lock_is_per_account(voter, voter_with_app):
    for _ in range(reauth.MAX_FAILURES):
        reauth.reauthenticate(voter, password="wrong")
    assert reauth.reauthenticate(voter_with_app, password=factories.TEST_PASSWORD)


def test_the_lock_ends_with_its_window(voter):
    for _ in range(reauth.MAX_FAILURES):
        reauth.reauthenticate(voter, password="wrong")
    cache.delete(reauth._key(voter))  # what the cache does when WINDOW_SECONDS have passed
    assert reauth.reauthenticate(voter, password=factories.TEST_PASSWORD)


def test_success_clears_earlier_failures(voter):
    for _ in range(reauth.MAX_FAILURES - 1):
        reauth.reauthenticate(voter, password="wrong")
    assert reauth.reauthenticate(voter, password=factories.TEST_PASSWORD)
    assert reauth.failures(voter) == 0


def test_the_window_starts_at_the_first_failure(voter, monkeypatch):
    timeouts = []
    real_add = cache.add

    def add(key, value, timeout=None, **kwargs):
        timeouts.append(timeout)
        return real_add(key, value, timeout=timeout, **kwargs)

    monkeypatch.setattr(reauth.cache, "add", add)
    reauth.reauthenticate(voter, password="wrong")
    reauth.reauthenticate(voter, password="wrong")
    assert timeouts == [reauth.WINDOW_SECONDS, reauth.WINDOW_SECONDS]
    assert reauth.failures(voter) == 2


def test_anonymous_users_never_pass():
    assert not reauth.reauthenticate(AnonymousUser(), password=factories.TEST_PASSWORD)
