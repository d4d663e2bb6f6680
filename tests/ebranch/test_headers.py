"""Security headers (Mozilla Observatory's A+): a strict CSP, Permissions-Policy, Cache-Control: private,
and no inline script or style that the CSP would block."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from meetings.calendar import calendar_token_renew
from tests import factories
from tests.dues.test_receipts import payment_make
from tests.ebranch.test_settings import PRODUCTION_ENV, run_manage

ROOT = Path(__file__).resolve().parents[2]


def csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = [part.split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_security_headers(response):
    policy = csp(response)
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "style-src", "font-src", "connect-src", "form-action"):
        assert policy[directive] == ["'self'"], directive
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == policy["base-uri"] == policy["object-src"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_signed_in_page(client, world):
    client.force_login(world.member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert response["Cache-Control"] == "private, no-store"


def test_a_pdf(client, world):
    payment = payment_make(world.member.member)
    client.force_login(world.member)
    response = client.get(reverse("receipts:download", args=[payment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_security_headers(response)
    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_view_that_sets_its_own_private_policy_keeps_it(client, world):
    token = calendar_token_renew(user=world.member)
    response = client.get(reverse("calendar:feed", args=[token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=900"


def test_static_files_stay_cacheable(client, db):
    response = client.get("/static/css/ebranch.css")
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")


def test_cookies_are_lax_and_http_only(client, world):
    client.get(reverse("account_login"))
    response = client.post(
        reverse("account_login"), {"login": "member@example.com", "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["samesite"] == "Lax" and cookie["httponly"], name
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


def test_cookies_are_secure_in_production():
    names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE")
    code = f"from django.conf import settings; print(*[getattr(settings, n) for n in {names!r}])"
    result = run_manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True"]


# Inline code: the CSP above refuses it, so it must not be written (emails and PDFs are not pages).

INLINE = [
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.I)


def inline_code(html: str) -> list[str]:
    found = [what for pattern, what in INLINE if pattern.search(html)]
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" not in attributes and not DATA_BLOCK.search(attributes):
            found.append("an inline <script>")
    return found


def test_the_checker_finds_inline_code():
    assert inline_code('<p style="color:red">') == ["a style attribute"]
    assert inline_code('<input onclick="this.select()">') == ["an event handler attribute"]
    assert inline_code("<style>p{}</style><script>alert(1)</script>") == [
        "a <style> block", "an inline <script>",
    ]
    assert inline_code('<script src="/static/js/a.js" defer></script>') == []
    assert inline_code('<script type="application/json">{}</script>') == []


def test_no_template_has_inline_script_or_style():
    templates = [
        path for path in (ROOT / "templates").rglob("*.html")
        if not {"email", "pdf"} & set(path.relative_to(ROOT / "templates").parts)
    ]
    assert len(templates) > 100
    offenders = {
        str(path.relative_to(ROOT)): found for path in templates if (found := inline_code(path.read_text()))
    }
    assert offenders == {}


def rendered_pages(world) -> list[tuple[object, str]]:
    """Pages whose markup comes partly from Django's admin, allauth and import-export."""
    calendar_token_renew(user=world.member)
    member = world.member.member
    return [
        (world.member, reverse("home")),
        (world.member, reverse("account_change_phone")),
        (world.member, reverse("account_email")),
        (world.member, reverse("mfa_index")),
        (world.member, reverse("calendar:settings")),
        (world.county_officer, reverse("branches:list")),
        (world.county_officer, reverse("admin:index")),
        (world.county_officer, reverse("admin:members_member_changelist")),
        (world.county_officer, reverse("admin:members_member_change", args=[member.pk])),
        (world.county_officer, reverse("admin:members_member_history", args=[member.pk])),
        (world.county_officer, reverse("admin:members_member_import")),
        (world.county_officer, reverse("admin:members_member_export")),
        (world.county_officer, reverse("admin:branches_organization_changelist")),
        (world.county_officer, reverse("admin:branches_township_add")),
        (None, reverse("account_login")),
    ]


@pytest.mark.django_db
def test_no_rendered_page_has_inline_script_or_style(world):
    offenders = {}
    for user, url in rendered_pages(world):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        if found := inline_code(response.content.decode()):
            offenders[url] = found
    assert offenders == {}
