"""Headless Chromium for the browser tests, launched so that it makes no outside connections."""

import shutil

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(live_server, settings, monkeypatch):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright runs, the test's ORM calls get connections of their own (another context
        # of this thread); close them here, or the test database cannot be dropped at the end.
        connections.close_all()


@pytest.fixture
def page(browser):
    """A page at phone width, in Chinese."""
    return phone_page(browser)


def phone_page(browser, **options):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", **options)
    return context.new_page()


def sign_in(page, base_url, login, password):
    page.goto(f"{base_url}/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
