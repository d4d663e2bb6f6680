import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "ebranch.example.cn",
    "FIELD_ENCRYPTION_KEYS": "ZWJyYW5jaC1wcm9kdWN0aW9uLWxpa2Uta2V5LTMyYnl0ZXM=",
    "FIELD_HASH_KEY": "production-like-hash-key",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, env):
    ours = ("DJANGO_", "FIELD_", "REDIS", "DATABASE")
    base = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_under_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_without_debug():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def settings_under(monkeypatch, **env) -> dict:
    """The settings module's values under these variables (DEBUG on, as in every test)."""
    for name in ("BEHIND_PROXY", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "ebranch" / "settings.py"))


@pytest.mark.parametrize(
    ("env", "count"),
    [({}, 0), ({"TRUSTED_PROXY_COUNT": "2"}, 0), ({"BEHIND_PROXY": "1"}, 1),
     ({"BEHIND_PROXY": "1", "TRUSTED_PROXY_COUNT": "2"}, 2)],
)
def test_x_forwarded_for_is_trusted_for_exactly_the_proxies_configured(monkeypatch, env, count):
    assert settings_under(monkeypatch, **env)["ALLAUTH_TRUSTED_PROXY_COUNT"] == count
