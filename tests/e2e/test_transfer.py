"""A membership transfer in headless Chromium at phone width: the member requests it, the sending
secretary approves it (the introduction letter is issued), the receiving secretary accepts it, and the
member sees it completed with their new branch."""

import re

import pytest
from django.utils import translation

from members.models import IntroductionLetter, Member, Transfer
from tests import factories
from tests.e2e.conftest import phone_page, sign_in

pytestmark = pytest.mark.e2e


def _screenshot(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "screenshots" / "transfers"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def _officer_signs_in(browser, base_url, email):
    """Secretaries manage members: after the password, the code from their authenticator app."""
    from playwright.sync_api import expect

    page = phone_page(browser)
    sign_in(page, base_url, email, factories.TEST_PASSWORD)
    page.fill("input[name=code]", factories.totp_code())
    page.locator("input[name=code]").press("Enter")
    expect(page).to_have_url(f"{base_url}/")
    return page


def _open_from_inbox(page, base_url, transfer):
    from playwright.sync_api import expect

    page.locator("a[href='/transfers/inbox/']").first.click()
    expect(page).to_have_url(f"{base_url}/transfers/inbox/")
    page.locator(f"a[href='/transfers/{transfer.pk}/']").first.click()
    expect(page).to_have_url(f"{base_url}/transfers/{transfer.pk}/")


def test_member_requests_and_two_secretaries_complete_the_transfer(
    browser, live_server, world, eager
):
    from playwright.sync_api import expect

    base = live_server.url
    member = world.member.member

    # The member asks to move to the other branch.
    page = phone_page(browser)
    sign_in(page, base, "member@example.com", factories.TEST_PASSWORD)
    expect(page).to_have_url(f"{base}/")
    page.locator("a[href='/transfers/']").first.click()
    expect(page).to_have_url(f"{base}/transfers/")
    page.locator("a[href='/transfers/new/']").first.click()
    expect(page).to_have_url(f"{base}/transfers/new/")
    page.fill("input[name=employer]", "深圳鹭汇信息科技有限公司")
    page.fill("textarea[name=reason]", "已调到深圳工作，申请将组织关系转入深圳第一支部。")
    page.check("input[name=target][value=branch]")
    page.select_option("select[name=to_organization]", str(world.other_branch.pk))
    page.locator("form.form button.btn-block[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+/$"))
    transfer = Transfer.objects.get(member=member)
    assert (transfer.status, transfer.to_organization) == (Transfer.Status.REQUESTED, world.other_branch)
    assert page.url == f"{base}/transfers/{transfer.pk}/"
    # The member may not approve their own transfer: only withdrawing is offered.
    expect(page.locator(f"form[action='/transfers/{transfer.pk}/withdraw/']")).to_have_count(1)
    expect(page.locator(f"form[action='/transfers/{transfer.pk}/approve/']")).to_have_count(0)

    # The sending secretary approves: the introduction letter is issued, with its PDF.
    sender = _officer_signs_in(browser, base, "secretary@example.com")
    _open_from_inbox(sender, base, transfer)
    sender.locator(f"form[action='/transfers/{transfer.pk}/approve/'] button[type=submit]").click()
    expect(sender).to_have_url(f"{base}/transfers/{transfer.pk}/")
    letter = IntroductionLetter.objects.select_related("organization").get(transfer=transfer)
    assert letter.status == IntroductionLetter.Status.VALID and letter.validity_days == 90
    expect(sender.get_by_text(letter.serial).first).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.IN_TRANSIT and transfer.approved_by == world.secretary
    sender.screenshot(path=_screenshot("approved-390.png"), full_page=True)

    # The receiving secretary accepts.
    receiver = _officer_signs_in(browser, base, "other-secretary@example.com")
    _open_from_inbox(receiver, base, transfer)
    receiver.locator(f"form[action='/transfers/{transfer.pk}/accept/'] button[type=submit]").click()
    expect(receiver).to_have_url(f"{base}/transfers/{transfer.pk}/")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.COMPLETED and transfer.closed_by == world.other_secretary
    assert Member.objects.get(pk=member.pk).organization == world.other_branch

    # The member sees the transfer completed and the new branch.
    page.goto(f"{base}/transfers/")
    history = page.locator("table.table")
    expect(history.locator("strong")).to_have_text(world.other_branch.name)
    expect(history).to_contain_text(world.branch.name)  # the period that ended
    past = page.locator(f"a[href='/transfers/{transfer.pk}/']")
    expect(past).to_contain_text(f"{world.branch.name} → {world.other_branch.name}")
    with translation.override("zh-hans"):
        expect(past).to_contain_text(str(Transfer.Status.COMPLETED.label))
    past.click()
    expect(page.locator("h1 .badge-full")).to_be_visible()
    page.screenshot(path=_screenshot("completed-390.png"), full_page=True)

    # The letter's PDF, with the member's session.
    response = page.request.get(f"{base}/transfers/letters/{letter.pk}/pdf/")
    assert response.status == 200 and response.body().startswith(b"%PDF")
