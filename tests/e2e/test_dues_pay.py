"""A member pays dues through the sandbox cashier in headless Chromium and downloads the receipt.

With E2E_SCREENSHOTS=<folder> set, the pages are also saved there at 390 and 1280 px."""

import os
import re
from pathlib import Path

import pytest

from dues.models import Bill, Payment
from ebranch.celery import app
from tests import factories
from tests.dues.payment_fixtures import bill
from tests.e2e.test_login import sign_in
from tests.e2e.test_meeting_checkin import browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def _shot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.fixture
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_a_member_pays_through_the_sandbox(browser, live_server, world, eager_tasks):  # noqa: F811
    from playwright.sync_api import expect

    member = world.member.member
    this_month, last_month = bill(member), bill(member, months_back=1)
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="en").new_page()
    sign_in(page, live_server.url, "member@example.com", factories.TEST_PASSWORD)
    page.goto(f"{live_server.url}/dues/pay/")
    page.check(f"input[name=bills][value='{this_month.pk}']")
    page.check(f"input[name=bills][value='{last_month.pk}']")
    page.fill("input[name=voluntary_amount]", "10")
    _shot(page, "pay")
    page.click("form.form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dues/sandbox/pay/\w+/$"))
    expect(page.locator(".amount")).to_have_text("¥40.00")
    _shot(page, "sandbox-cashier")
    page.click("button.pay")
    expect(page).to_have_url(re.compile(r"/dues/pay/return/\w+/$"))
    payment = Payment.objects.get()
    expect(page.locator("main")).to_contain_text(payment.receipt_number)
    _shot(page, "return")
    href = page.get_attribute("text=Download the receipt (PDF)", "href")
    receipt = page.request.get(f"{live_server.url}{href}")  # the member's own session
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    assert set(Bill.objects.values_list("status", flat=True)) == {"paid"}
    assert payment.amount == 40 and payment.voluntary_amount == 10
