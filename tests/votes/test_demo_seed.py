"""The demo's ballots (votes/demo_seed.py): an open resolution and an open committee election in the demo
member's branch, which the demo member has not voted in yet, and a published election with a valid
turnout; a second run creates nothing. Like the other demo seeds, tested on a small demo branch."""

import datetime

import pytest
from django.utils import timezone

from branches import demo_data
from members.models import Member
from tests import factories
from votes import demo_seed
from votes.models import Ballot, BallotPaper, Elector, VoteRecord
from votes.tally import ballot_tally

Kind, Status = Ballot.Kind, Ballot.Status


@pytest.fixture
def demo(world):
    """The demo branch with its secretary, the demo member, nine more full members and a probationary
    member (who is on no electorate)."""
    branch = factories.organization(parent=world.general_branch, code=demo_data.DEMO_BRANCH_CODE,
                                    name="土楼e支部厦门第一支部")
    secretary = factories.user(name="温书记", email="secretary@demo.ebranch.cn")
    factories.member(organization=branch, user=secretary, name="温书记")
    factories.position(user=secretary, organization=branch)
    user = factories.user(name="刘晶", email=demo_seed.DEMO_MEMBER_EMAIL)
    member = factories.member(organization=branch, user=user, name="刘晶")
    names = ("张建华", "李秀兰", "王志强", "陈丽娟", "林国平", "黄玉梅", "吴海峰", "郑淑芬", "游文龙")
    for n, name in enumerate(names):
        factories.member(organization=branch, name=name, phone=f"1380000{n:04d}")
    factories.member(organization=branch, name="卢小燕", status=Member.Status.PROBATIONARY)
    return member


def test_an_open_resolution_an_open_election_and_a_published_election(
    demo, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    created = {}
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed.seed(created)

    ballots = {b.title: b for b in Ballot.objects.filter(organization=demo.organization)}
    assert created == {"ballots": 3, "ballot papers cast": BallotPaper.objects.exclude(receipt=None).count()}
    assert len(ballots) == 3
    full = Member.objects.filter(organization=demo.organization, status=Member.Status.FULL)
    electorate = set(full.values_list("pk", flat=True))
    assert len(electorate) == 11

    # Open for voting now, until a week from today; the demo member is on the electorate and has not voted.
    resolution = ballots[demo_seed.RESOLUTION]
    election = ballots[demo_seed.COMMITTEE]
    for ballot in (resolution, election):
        assert ballot.status == Status.OPEN and ballot.is_accepting
        assert set(Elector.objects.filter(ballot=ballot).values_list("member_id", flat=True)) == electorate
        assert Elector.objects.filter(ballot=ballot, member=demo).exists()
        assert not VoteRecord.objects.filter(ballot=ballot, member=demo).exists()
        assert ballot.papers.count() == 11  # one paper per elector
        assert 0 < ballot.papers.exclude(receipt=None).count() == ballot.vote_records.count() < 10
    assert resolution.kind == Kind.RESOLUTION
    assert timezone.localdate(resolution.closes_at) == today + datetime.timedelta(days=7)
    # The committee: 3 seats, 4 candidates from the branch's own members.
    assert (election.kind, election.seats) == (Kind.ELECTION, 3)
    labels = [o.label for o in election.options.all()]
    assert len(labels) == 4 and set(labels) <= set(Member.objects.values_list("name", flat=True))
    assert "刘晶" not in labels

    # Published weeks ago; everyone but the demo member and one more voted, so the election is valid.
    delegates = ballots[demo_seed.DELEGATES]
    assert delegates.status == Status.PUBLISHED and delegates.kind == Kind.ELECTION
    assert delegates.opens_at < delegates.closes_at <= delegates.closed_at < delegates.published_at
    assert delegates.published_at < timezone.now() - datetime.timedelta(days=30)
    assert not VoteRecord.objects.filter(ballot=delegates, member=demo).exists()
    result = delegates.result
    assert (result["electorate"], result["participants"]) == (11, 9)
    assert 5 * result["participants"] > 4 * result["electorate"] and result["valid"]
    assert result["invalid"] == 1  # the paper marking all three candidates for two seats
    assert len(result["elected"]) == 2 and result["runoff"] == []
    assert any(row.get("write_in") and row["label"] == demo_seed.WRITE_IN for row in result["candidates"])
    assert result == ballot_tally(delegates)  # the stored result is the count of its papers
    assert set(delegates.papers.values_list("cast_on", flat=True)) == {timezone.localdate(delegates.opens_at)}
    assert not Ballot.objects.filter(runoff_of=delegates).exists()

    # A second run finds every ballot and creates nothing.
    papers = BallotPaper.objects.exclude(receipt=None).count()
    again = {}
    demo_seed.seed(again)
    assert again == {"ballots": 0, "ballot papers cast": 0}
    assert Ballot.objects.count() == 3 and BallotPaper.objects.exclude(receipt=None).count() == papers


def test_nothing_without_the_demo_member(world):
    created = {}
    demo_seed.seed(created)
    assert created == {"ballots": 0, "ballot papers cast": 0}
    assert not Ballot.objects.exists()
