"""A member pays this month's dues through the sandbox gateway in headless Chromium and downloads the
receipt."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from dues.models import Bill, Payment, YearlyBase
from ebranch.lib.months import month_add, this_month
from tests import factories
from tests.dues.test_reports import bill
from tests.e2e.conftest import phone_page, sign_in

pytestmark = pytest.mark.e2e


def _screenshot(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "screenshots" / "dues-reports"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def test_member_pays_this_month_through_the_sandbox_and_downloads_the_receipt(
    browser, live_server, world, eager
):
    from playwright.sync_api import expect

    member = world.member.member
    current = this_month()
    YearlyBase.objects.create(
        member=member, year=current.year, category="employed", declared_base=Decimal("6000"),
        base=Decimal("6000"), monthly_amount=Decimal("90.00"), status=YearlyBase.Status.APPROVED,
        owes_from=datetime.date(current.year, 1, 1), approved_by=world.secretary,
        approved_at=timezone.now(),
    )
    bill(member, month_add(current, -1), "90.00", paid=True)
    due = bill(member, current, "90.00")

    page = phone_page(browser)
    sign_in(page, live_server.url, "member@example.com", factories.TEST_PASSWORD)
    page.goto(f"{live_server.url}/dues/")
    page.locator("a[href='/dues/pay/']").first.click()
    expect(page).to_have_url(f"{live_server.url}/dues/pay/")
    page.check(f"input[name=bills][value='{due.pk}']")
    page.click("form.form button[type=submit]")

    # The sandbox's own cashier page, like a hosted provider's.
    expect(page).to_have_url(re.compile(r"/dues/sandbox/pay/[^/]+/$"))
    expect(page.locator(".amount")).to_have_text("¥90.00")
    page.click("button[value=pay]")

    # Back on the portal: the signed callback has paid the bill, exactly once.
    expect(page).to_have_url(re.compile(r"/dues/pay/return/[^/]+/$"))
    due.refresh_from_db()
    assert due.status == Bill.Status.PAID
    payment = due.payment
    expect(page.get_by_text(payment.receipt_number)).to_be_visible()
    assert Payment.objects.filter(bills=due).count() == 1 and payment.amount == Decimal("90.00")
    page.screenshot(path=_screenshot("dues-paid-390.png"), full_page=True)

    # The receipt, through the return page's link, with the member's session.
    href = page.locator("a[href*='/receipts/']").get_attribute("href")
    assert href == f"/receipts/{payment.pk}/download/"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert payment.receipt_number in response.headers.get("content-disposition", "")


def test_officers_see_the_branch_report_and_the_county_chart(browser, live_server, world):
    from playwright.sync_api import expect

    current = this_month()
    for name, paid in (("按时甲", True), ("按时乙", True), ("欠费丙", False)):
        member = factories.member(organization=world.branch, name=name)
        bill(member, current, "30.00", paid=paid)
        if not paid:
            for back in (1, 2, 3):
                bill(member, month_add(current, -back), "30.00")
    bill(factories.member(organization=world.other_branch, name="丁"), current, "12.50", paid=True)

    liaison = phone_page(browser)
    sign_in(liaison, live_server.url, "liaison@example.com", factories.TEST_PASSWORD)
    county = phone_page(browser)
    sign_in(county, live_server.url, "county@example.com", factories.TEST_PASSWORD)
    # County staff have an authenticator app: the second step of signing in (a code is good once).
    county.fill("input[name=code]", factories.totp_code())
    county.locator("input[name=code]").press("Enter")
    expect(county).to_have_url(f"{live_server.url}/")

    for width, height in ((390, 844), (1280, 900)):
        liaison.set_viewport_size({"width": width, "height": height})
        liaison.goto(f"{live_server.url}/dues/reports/branches/{world.branch.pk}/")
        expect(liaison.locator(".dues-arrears")).to_contain_text("欠费丙")
        expect(liaison.locator(".stats")).to_contain_text("66.7%")
        liaison.screenshot(path=_screenshot(f"branch-{width}.png"), full_page=True)

        county.set_viewport_size({"width": width, "height": height})
        county.goto(f"{live_server.url}/dues/reports/")
        expect(county.locator("svg.dues-chart rect")).to_have_count(4)
        expect(county.locator("svg.dues-chart")).to_contain_text("100.0%")
        county.screenshot(path=_screenshot(f"county-{width}.png"), full_page=True)
