"""The bulletin board (votes/board.py, the board page and its JSON download): every paper by receipt code,
turnout, the stored result; no voter, no member id, no time but the ballot's date."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from members.models import Member
from tests.votes.test_tally import cast_all, closed, electorate_of, label_marks, open_ballot
from votes import services
from votes.board import board_data, paper_text
from votes.models import Ballot, BallotPaper

Kind = Ballot.Kind


def url(name, ballot):
    return reverse(f"votes:{name}", args=[ballot.pk])


@pytest.fixture
def election(world):
    """5 electors, 4 take part; one writes in 王某, one paper is over-voted. Published."""
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=2, title="支委会选举")
    papers = [
        {**label_marks(ballot, {"甲": "for", "乙": "against"}), "write_ins": ["王某"]},
        label_marks(ballot, {"甲": "for", "乙": "for"}),
        label_marks(ballot, {"甲": "for", "丙": "against"}),
        label_marks(ballot, {"甲": "for", "乙": "for", "丙": "for"}),
    ]
    receipts = cast_all(ballot, members, papers)
    ballot = services.ballot_publish(ballot=closed(ballot), actor=world.secretary)
    ballot.receipts = receipts
    ballot.voters = members[:4]
    return ballot


def test_board_data_lists_every_paper_by_receipt_and_nothing_about_voters(world, election):
    data = board_data(Ballot.objects.select_related("organization").get(pk=election.pk))

    assert data["ballot"] == election.pk and data["organization"] == world.branch.name
    assert (data["kind"], data["title"], data["seats"]) == ("election", "支委会选举", 2)
    assert [o["label"] for o in data["options"]] == ["甲", "乙", "丙"]
    assert (data["electorate"], data["participants"], data["turnout"]) == (5, 4, "80.0")
    receipts = [paper["receipt"] for paper in data["papers"]]
    assert receipts == sorted(election.receipts)  # by receipt code: not by id, not by casting order
    assert set(data["papers"][0]) == {"receipt", "content", "valid"}
    assert sorted(paper["valid"] for paper in data["papers"]) == [False, True, True, True]
    assert data["result"] == Ballot.objects.get(pk=election.pk).result
    assert data["date"] == election.ballot_date.isoformat()

    text = json.dumps(data, ensure_ascii=False)
    for member in Member.objects.all():
        assert member.name not in text and f'"{member.pk}"' not in text
    for paper in BallotPaper.objects.filter(ballot=election):
        assert str(paper.pk) not in text
    assert "member" not in text and "voter" not in text and "T" not in data["date"]


def test_paper_text_in_words(world, election):
    labels = {f"o{o.pk}": o.label for o in election.options.all()}
    paper = BallotPaper.objects.get(receipt=election.receipts[0])
    with translation.override("en"):
        assert (
            paper_text("election", paper.content, labels)
            == "甲: for · 乙: against · 丙: abstain · written in: 王某"
        )
        assert paper_text("resolution", {"choice": "against"}, {}) == "against"
        assert paper_text("poll", {"choices": {"o2": True}}, {"o1": "一", "o2": "二"}) == "二"


def test_the_board_page_shows_turnout_and_every_paper(en, world, election, django_assert_num_queries):
    en.force_login(world.member)
    # user (session), member (scope), the ballot with its organization, positions (roster check and
    # navigation), the options, the papers, unread notifications
    with django_assert_num_queries(7):
        response = en.get(url("board", election))
    html = response.content.decode()
    assert response.status_code == 200
    assert "80.0%" in html and "4 papers" in html
    for receipt in election.receipts:
        assert receipt in html
    assert "written in: 王某" in html and html.count("invalid</span>") == 1
    for voter in election.voters:
        assert (
            voter.user_id == world.member.pk or voter.name not in html
        )  # the viewer's own name is in the menu


def test_the_board_query_count_does_not_grow_with_the_papers(en, world, django_assert_num_queries):
    members = electorate_of(world, 12)
    ballot = open_ballot(world)
    cast_all(ballot, members, [{"choice": "for"}] * 12)
    services.ballot_publish(ballot=closed(ballot), actor=world.secretary)
    en.force_login(world.member)
    with django_assert_num_queries(7):  # as above, with 12 papers instead of 4
        html = en.get(url("board", ballot)).content.decode()
    assert "12 papers" in html


def test_a_voter_finds_their_paper_by_receipt_code(en, world, election):
    en.force_login(world.member)
    receipt = election.receipts[1]
    html = en.get(url("board", election), {"receipt": f" {receipt.lower()} "}).content.decode()
    assert f"Found: paper {receipt} is on the board" in html
    assert f"<mark>{receipt}</mark>" in html and html.count("<mark>") == 1
    assert f'id="paper-{receipt}" aria-current="true"' in html

    html = en.get(url("board", election), {"receipt": "NOSUCHCODE12"}).content.decode()
    assert "No paper has this receipt code." in html and "<mark>" not in html


@pytest.mark.parametrize("persona", ["member", "secretary", "liaison", "county_officer"])
def test_the_board_is_open_to_members_and_officers_once_published(client, world, election, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("board", election)).status_code == 200
    assert client.get(url("board_json", election)).status_code == 200


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_the_board_is_404_for_outsiders(client, world, election, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("board", election)).status_code == 404
    assert client.get(url("board_json", election)).status_code == 404


def test_the_board_is_404_before_publication_even_for_officers(client, world):
    members = electorate_of(world, 3)
    ballot = open_ballot(world)
    cast_all(ballot, members, [{"choice": "for"}])
    client.force_login(world.secretary)
    assert client.get(url("board", ballot)).status_code == 404  # open
    closed(ballot)
    assert client.get(url("board", ballot)).status_code == 404  # closed, not published
    assert client.get(url("board_json", ballot)).status_code == 404


def test_the_board_downloads_as_json(client, world, election, django_assert_num_queries):
    client.force_login(world.member)
    # user (session), member (scope), the ballot with its organization, positions (roster check), the
    # options, the papers
    with django_assert_num_queries(6):
        response = client.get(url("board_json", election))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="ballot-{election.pk}-board.json"'
    data = json.loads(response.content)
    assert data == json.loads(json.dumps(board_data(Ballot.objects.get(pk=election.pk))))
    assert len(data["papers"]) == 4
