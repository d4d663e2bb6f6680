"""A member signs in with their mobile number in headless Chromium and sees their branch."""

import shutil

import pytest

from tests import factories

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]
PHONE = "13812345678"


@pytest.fixture
def page(live_server, settings, monkeypatch):
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
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        yield context.new_page()
        browser.close()


@pytest.fixture
def demo_member(world):
    user = factories.user(name="张海燕", phone=PHONE)
    factories.member(organization=world.branch, user=user, name="张海燕", phone=PHONE)
    return user


def sign_in(page, base_url, login, password):
    page.goto(f"{base_url}/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")


def test_member_signs_in_with_phone_and_sees_their_branch(page, live_server, world, demo_member):
    from playwright.sync_api import expect

    sign_in(page, live_server.url, PHONE, factories.TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=world.branch.name)).to_be_visible()
    expect(page.get_by_text("李书记")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_wrong_password_keeps_the_member_on_the_login_page(page, live_server, world, demo_member):
    from playwright.sync_api import expect

    sign_in(page, live_server.url, PHONE, "not-the-password")
    expect(page.locator(".alert")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text(world.branch.name)).to_have_count(0)
