"""An election in headless Chromium at phone width: a member opens the ballot, marks the candidates,
writes in a name, confirms with their password and is shown a receipt code; once the ballot is closed
and published, the member searches the bulletin board for the code and finds exactly their paper."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.e2e.conftest import phone_page, sign_in
from votes import services
from votes.board import paper_text
from votes.models import Ballot, BallotPaper, VoteRecord
from votes.tally import option_key

pytestmark = pytest.mark.e2e

CANDIDATES = ("陈明", "林芳", "黄强")
RECEIPT = re.compile(r"[A-HJ-NP-Z2-9]{12}")


def _screenshot(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "screenshots" / "votes"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


@pytest.fixture
def election(world):
    """An open election of `branch` for 2 seats, in which three other members have voted already."""
    others = [factories.member(organization=world.branch, name=name) for name in ("吴一", "郑二", "孙三")]
    now = timezone.now()
    ballot = services.ballot_create(
        actor=world.secretary, organization=world.branch, kind=Ballot.Kind.ELECTION, title="支部委员补选",
        seats=2, options=list(CANDIDATES), opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=1),
    )
    ballot = services.ballot_open(ballot=ballot, actor=world.secretary)
    keys = [option_key(o.pk) for o in ballot.options.all()]
    papers = (("for", "for", "against"), ("for", "against", "for"), ("against", "for", "abstain"))
    for member, marks in zip(others, papers, strict=True):
        data = {"marks": dict(zip(keys, marks, strict=True))}
        services.ballot_cast(ballot=ballot, member=member, data=data)
    return ballot


def test_member_votes_and_finds_their_paper_on_the_board(browser, live_server, world, election, eager):
    from playwright.sync_api import expect

    base = live_server.url
    ballot = election
    options = {o.label: option_key(o.pk) for o in ballot.options.all()}

    # The member finds the ballot from the home page and opens the paper.
    page = phone_page(browser)
    sign_in(page, base, "member@example.com", factories.TEST_PASSWORD)
    expect(page).to_have_url(f"{base}/")
    page.locator("a[href='/votes/']").first.click()
    expect(page).to_have_url(f"{base}/votes/")
    page.locator(f"a[href='/votes/{ballot.pk}/']").first.click()
    expect(page).to_have_url(f"{base}/votes/{ballot.pk}/")
    page.locator(f"a[href='/votes/{ballot.pk}/cast/']").first.click()
    expect(page).to_have_url(f"{base}/votes/{ballot.pk}/cast/")

    # For 陈明, abstains on 林芳, against 黄强, and writes in 周小红: two "for", as many as the seats.
    chosen = {options["陈明"]: "for", options["林芳"]: "abstain", options["黄强"]: "against"}
    for key, mark in chosen.items():
        page.check(f"input[name=mark-{key}][value={mark}]")
    page.fill("input[name=write_in_1]", "周小红")
    page.fill("input[name=password]", factories.TEST_PASSWORD)
    page.screenshot(path=_screenshot("paper-390.png"), full_page=True)
    page.locator("form.form button[type=submit]").click()

    # The receipt is shown once, in the answer to the cast itself.
    code = page.locator(".hero-name code")
    expect(code).to_have_text(RECEIPT)
    receipt = code.inner_text().strip()
    assert page.url == f"{base}/votes/{ballot.pk}/cast/"
    page.screenshot(path=_screenshot("receipt-390.png"), full_page=True)
    content = {"marks": chosen, "write_ins": ["周小红"]}
    paper = BallotPaper.objects.get(ballot=ballot, receipt=receipt)
    assert (paper.content, paper.valid) == (content, True)
    assert VoteRecord.objects.filter(ballot=ballot, member=world.member.member).exists()

    # The secretary closes and publishes (the services, as the officers' buttons call them).
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    services.ballot_close(ballot=ballot, actor=world.secretary)
    services.ballot_publish(ballot=ballot, actor=world.secretary)

    # The member opens the board from the ballot's page and searches for their code.
    page.goto(f"{base}/votes/{ballot.pk}/")
    page.locator(f"a[href='/votes/{ballot.pk}/board/']").first.click()
    expect(page).to_have_url(f"{base}/votes/{ballot.pk}/board/")
    expect(page.locator("tbody tr")).to_have_count(4)
    page.fill("input[name=receipt]", receipt)
    page.locator("form.search button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/votes/{ballot.pk}/board/\?receipt={receipt}$"))
    found = page.locator("tr[aria-current=true]")
    expect(found).to_have_count(1)
    expect(found).to_have_id(f"paper-{receipt}")
    with translation.override("zh-hans"):
        text = paper_text(ballot.kind, content, {key: label for label, key in options.items()})
    assert "周小红" in text and "陈明" in text
    expect(found.locator("td").nth(1)).to_have_text(text)
    expect(page.locator("p.alert-info[role=status]")).to_contain_text(receipt)
    page.screenshot(path=_screenshot("board-found-390.png"), full_page=True)
