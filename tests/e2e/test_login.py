"""A member signs in with their mobile number in headless Chromium and sees their branch."""

import pytest

from tests import factories
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE = "13812345678"


@pytest.fixture
def demo_member(world):
    user = factories.user(name="张海燕", phone=PHONE)
    factories.member(organization=world.branch, user=user, name="张海燕", phone=PHONE)
    return user


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
