"""Ballot services: checks on creating and editing, the frozen electorate, the states draft → open →
closed → published, casting (one paper per voter, refusals leave nothing behind) and who may do what.

The helpers here (`create`, `opened`, `cast_all`, `full_member`, `DATA`) are shared by the other
ballot service tests."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from members.models import Member
from tests import factories
from votes import services
from votes.models import Ballot, BallotPaper, Elector, Option, VoteRecord


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the site's default language is Chinese."""
    with translation.override("en"):
        yield

Kind, Status = Ballot.Kind, Ballot.Status
HOUR = datetime.timedelta(hours=1)
CANDIDATES = ["陈一", "林二", "黄三", "吴四"]


def create(world, kind=Kind.RESOLUTION, *, actor=None, organization=None, **fields) -> Ballot:
    """A draft of the branch whose voting time began an hour ago and ends tomorrow."""
    now = timezone.now()
    fields.setdefault("opens_at", now - HOUR)
    fields.setdefault("closes_at", now + 24 * HOUR)
    if kind == Kind.ELECTION:
        fields.setdefault("seats", 3)
        fields.setdefault("options", CANDIDATES)
    if kind == Kind.POLL:
        fields.setdefault("options", ["周六上午", "周六下午", "周日上午"])
    return services.ballot_create(
        actor=actor or world.secretary, organization=organization or world.branch, kind=kind,
        title=fields.pop("title", "接收预备党员的决议"), **fields,
    )


def opened(world, kind=Kind.RESOLUTION, **fields) -> Ballot:
    return services.ballot_open(ballot=create(world, kind, **fields), actor=world.secretary)


def full_member(organization, **fields) -> Member:
    return factories.member(organization=organization, user=factories.user(), **fields)


def keys(ballot) -> list[str]:
    return [f"o{pk}" for pk in ballot.options.values_list("pk", flat=True)]


def DATA(ballot, n_for: int = 1) -> dict:  # noqa: N802 (reads as a constant: a valid paper)
    """A valid paper of the ballot's kind: for the first `n_for` candidates, against the others."""
    if ballot.kind == Kind.RESOLUTION:
        return {"choice": "for"}
    if ballot.kind == Kind.POLL:
        return {"choices": keys(ballot)[:1]}
    return {"marks": {key: "for" if n < n_for else "against" for n, key in enumerate(keys(ballot))}}


def cast_all(ballot, members, data=None) -> list[str]:
    return [services.ballot_cast(ballot=ballot, member=m, data=data or DATA(ballot)) for m in members]


def move_times(ballot, *, opens_at, closes_at) -> Ballot:
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=opens_at, closes_at=closes_at)
    ballot.refresh_from_db()
    return ballot


def cast_papers(ballot):
    return BallotPaper.objects.filter(ballot=ballot, receipt__isnull=False)


# Creating and editing


@pytest.mark.parametrize(("seats", "candidates", "extra", "allowed"), [
    (1, 1, 20, False), (1, 2, 20, True),   # ceil(1.2) = 2
    (3, 3, 20, False), (3, 4, 20, True),   # ceil(3.6) = 4
    (5, 5, 20, False), (5, 6, 20, True),   # 5 × 1.2 = 6 exactly
    (7, 8, 20, False), (7, 9, 20, True),   # ceil(8.4) = 9
    (3, 3, 0, False), (3, 4, 0, True),     # never fewer than seats + 1
    (4, 5, 50, False), (4, 6, 50, True),
])
def test_an_election_needs_enough_candidates(world, seats, candidates, extra, allowed):
    names = [f"候选人{n}" for n in range(candidates)]
    if not allowed:
        with pytest.raises(ValidationError) as error:
            create(world, Kind.ELECTION, seats=seats, options=names, extra_candidates_percent=extra)
        assert "options" in error.value.message_dict
        assert not Ballot.objects.exists()
        return
    ballot = create(world, Kind.ELECTION, seats=seats, options=names, extra_candidates_percent=extra)
    assert list(ballot.options.values_list("label", flat=True)) == names
    assert list(ballot.options.values_list("position", flat=True)) == list(range(1, candidates + 1))


@pytest.mark.parametrize("seats", [None, 0])
def test_an_election_needs_a_seat(world, seats):
    with pytest.raises(ValidationError) as error:
        create(world, Kind.ELECTION, seats=seats)
    assert "seats" in error.value.message_dict


def test_a_poll_offers_at_least_as_many_options_as_a_voter_may_choose(world):
    with pytest.raises(ValidationError) as error:
        create(world, Kind.POLL, options=["甲", "乙"], max_choices=3)
    assert "max_choices" in error.value.message_dict
    ballot = create(world, Kind.POLL, options=["甲", "乙"], max_choices=2)
    assert ballot.max_choices == 2 and ballot.seats is None


@pytest.mark.parametrize("options", [["甲"], ["甲", "甲"], ["甲", "  ", ""], []])
def test_a_poll_needs_two_distinct_options(world, options):
    with pytest.raises(ValidationError):
        create(world, Kind.POLL, options=options)
    assert not Option.objects.exists()


def test_a_resolution_has_no_options_seats_or_choices(world):
    ballot = create(world, Kind.RESOLUTION, options=["甲", "乙"], seats=3, max_choices=4)
    ballot.refresh_from_db()
    assert not ballot.options.exists()
    assert (ballot.seats, ballot.max_choices, ballot.status) == (None, 1, Status.DRAFT)
    assert ballot.created_by == world.secretary


def test_voting_must_close_after_it_opens(world):
    now = timezone.now()
    with pytest.raises(ValidationError):
        create(world, opens_at=now + HOUR, closes_at=now + HOUR)
    with pytest.raises(ValidationError):
        create(world, opens_at=now + HOUR, closes_at=now)
    assert not Ballot.objects.exists()


def test_a_draft_is_edited_with_the_same_checks(world):
    ballot = create(world, Kind.ELECTION)
    services.ballot_update(ballot=ballot, actor=world.secretary, title=" 支委会选举 ", seats=2,
                           options=["甲", "乙", "丙"])
    ballot.refresh_from_db()
    assert (ballot.title, ballot.seats) == ("支委会选举", 2)
    assert list(ballot.options.values_list("label", flat=True)) == ["甲", "乙", "丙"]
    with pytest.raises(ValidationError):  # 3 seats need 4 candidates
        services.ballot_update(ballot=ballot, actor=world.secretary, seats=3)
    with pytest.raises(ValidationError):
        services.ballot_update(ballot=ballot, actor=world.secretary, options=["甲", "乙"])
    ballot.refresh_from_db()
    assert ballot.seats == 2 and ballot.options.count() == 3
    with pytest.raises(TypeError):
        services.ballot_update(ballot=ballot, actor=world.secretary, status=Status.OPEN)


def test_only_a_draft_is_edited(world):
    ballot = opened(world)
    with pytest.raises(ValidationError):
        services.ballot_update(ballot=ballot, actor=world.secretary, title="改了")
    ballot.refresh_from_db()
    assert ballot.title == "接收预备党员的决议"


# Opening: the frozen electorate


def test_opening_freezes_the_full_members_and_lays_out_one_blank_paper_each(world):
    third = full_member(world.branch)
    full_member(world.branch, status=Member.Status.PROBATIONARY)
    ballot = opened(world)
    members = {world.member.member.pk, world.secretary.member.pk, third.pk}
    assert ballot.status == Status.OPEN and ballot.opened_at is not None
    assert set(Elector.objects.filter(ballot=ballot).values_list("member_id", flat=True)) == members
    assert ballot.electorate_size == 3
    papers = BallotPaper.objects.filter(ballot=ballot)
    assert papers.count() == 3
    assert set(papers.values_list("cast_on", "receipt", "content", "valid")) == {
        (ballot.ballot_date, None, None, None)
    }
    assert ballot.ballot_date == timezone.localdate(ballot.opens_at)
    assert not VoteRecord.objects.exists()


def test_opening_refuses_a_ballot_whose_time_is_over_or_that_nobody_may_vote_in(world):
    now = timezone.now()
    late = move_times(create(world), opens_at=now - 3 * HOUR, closes_at=now - HOUR)
    with pytest.raises(ValidationError) as error:
        services.ballot_open(ballot=late, actor=world.secretary)
    assert "closes_at" in error.value.message_dict
    empty = create(world, organization=world.county, actor=world.county_officer)
    with pytest.raises(ValidationError, match="Nobody"):
        services.ballot_open(ballot=empty, actor=world.county_officer)
    assert not Elector.objects.exists() and not BallotPaper.objects.exists()
    assert set(Ballot.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_a_ballot_opens_once(world):
    ballot = opened(world)
    with pytest.raises(ValidationError):
        services.ballot_open(ballot=ballot, actor=world.secretary)
    assert Elector.objects.count() == BallotPaper.objects.count() == 2


# Casting


def test_a_cast_fills_one_blank_paper_and_records_that_the_member_voted(world):
    ballot = opened(world, Kind.ELECTION)
    member = world.member.member
    assert not services.has_voted(ballot, member)
    receipt = services.ballot_cast(ballot=ballot, member=member, data=DATA(ballot, n_for=2))
    assert len(receipt) == services.RECEIPT_LENGTH and set(receipt) <= set(services.RECEIPT_LETTERS)
    paper = cast_papers(ballot).get()
    assert paper.receipt == receipt and paper.valid is True and paper.cast_on == ballot.ballot_date
    assert paper.content == {"marks": dict(zip(keys(ballot), ["for", "for", "against", "against"],
                                               strict=True))}
    assert BallotPaper.objects.filter(ballot=ballot, receipt__isnull=True).count() == 1
    assert services.has_voted(ballot, member) and not services.has_voted(ballot, None)
    assert not services.has_voted(ballot, world.secretary.member)
    assert list(VoteRecord.objects.values_list("ballot", "member")) == [(ballot.pk, member.pk)]


def test_a_second_vote_is_refused_and_changes_nothing(world):
    ballot = opened(world)
    member = world.member.member
    receipt = services.ballot_cast(ballot=ballot, member=member, data={"choice": "for"})
    with pytest.raises(ValidationError, match="already voted"):
        services.ballot_cast(ballot=ballot, member=member, data={"choice": "against"})
    assert VoteRecord.objects.filter(ballot=ballot).count() == 1
    assert list(cast_papers(ballot).values_list("receipt", "content")) == [(receipt, {"choice": "for"})]
    assert BallotPaper.objects.filter(ballot=ballot, receipt__isnull=True).count() == 1


def test_a_draft_refuses_casts(world):
    draft = create(world)
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(ballot=draft, member=world.member.member, data=DATA(draft))
    assert not VoteRecord.objects.exists()


def test_an_open_ballot_refuses_casts_before_its_time_and_after_it(world):
    now = timezone.now()
    ballot = opened(world, opens_at=now + HOUR, closes_at=now + 2 * HOUR)  # opened ahead of time
    assert ballot.status == Status.OPEN and not ballot.is_accepting
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))
    assert not VoteRecord.objects.exists() and not cast_papers(ballot).exists()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now + HOUR)
    assert services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))


@pytest.mark.parametrize("publish", [False, True])
def test_a_closed_or_published_ballot_refuses_casts(world, publish):
    ballot = opened(world)
    services.ballot_cast(ballot=ballot, member=world.secretary.member, data=DATA(ballot))
    now = timezone.now()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    ballot = services.ballot_close(ballot=ballot, actor=world.secretary)
    if publish:
        ballot = services.ballot_publish(ballot=ballot, actor=world.secretary)
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now + HOUR)  # even inside the voting time
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))
    assert VoteRecord.objects.count() == cast_papers(ballot).count() == 1


def test_an_over_voted_election_paper_is_cast_but_invalid(world):
    third = full_member(world.branch)
    ballot = opened(world, Kind.ELECTION, seats=2, options=["甲", "乙", "丙"])
    over = services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot, n_for=3))
    marks = {key: "abstain" for key in keys(ballot)}
    marks[keys(ballot)[0]] = "for"
    write_in = {"marks": marks, "write_ins": [" 郑五 "]}  # 1 mark + 1 write-in = the seats
    fits = services.ballot_cast(ballot=ballot, member=world.secretary.member, data=write_in)
    papers = dict(cast_papers(ballot).values_list("receipt", "valid"))
    assert papers == {over: False, fits: True}
    assert cast_papers(ballot).get(receipt=fits).content == {"marks": marks, "write_ins": ["郑五"]}
    over_by_write_ins = {**write_in, "write_ins": ["郑五", "钱六"]}  # 1 mark + 2 write-ins > 2 seats
    too_many = services.ballot_cast(ballot=ballot, member=third, data=over_by_write_ins)
    assert cast_papers(ballot).get(receipt=too_many).valid is False


def bad_papers(ballot) -> list:
    k = keys(ballot)
    if ballot.kind == Kind.RESOLUTION:
        return [{}, {"choice": "yes"}, {"choice": ["for"]}, {"choice": None}, {"choices": ["for"]}]
    if ballot.kind == Kind.POLL:
        return [{}, {"choices": []}, {"choices": ["o0"]}, {"choices": [k[0], "o0"]},
                {"choices": [k[0], k[0]]}, {"choices": k[:2]}, {"choices": k[0]},
                {"choices": [[k[0]]]}, {"choices": {k[0]: True}}]
    every = {key: "for" for key in k}
    return [
        {}, {"marks": {}}, {"marks": {k[0]: "for"}}, {"marks": {**every, "o0": "for"}},
        {"marks": {**every, k[0]: "yes"}}, {"marks": {**every, k[0]: None}}, {"marks": list(k)},
        {"marks": every, "write_ins": ["陈一"]}, {"marks": every, "write_ins": ["郑五", " 郑五"]},
        {"marks": every, "write_ins": "郑五"}, {"marks": every, "write_ins": [5]},
        {"marks": every, "write_ins": ["长" * 101]},
        {"marks": every, "write_ins": [f"人{n}" for n in range(ballot.seats + len(k) + 1)]},
    ]


@pytest.mark.parametrize("kind", [Kind.RESOLUTION, Kind.POLL, Kind.ELECTION])
def test_a_paper_that_cannot_be_read_is_refused_and_nothing_is_stored(world, kind):
    ballot = opened(world, kind)
    for data in bad_papers(ballot):
        with pytest.raises(ValidationError):
            services.ballot_cast(ballot=ballot, member=world.member.member, data=data)
    assert not VoteRecord.objects.exists() and not cast_papers(ballot).exists()
    assert services.ballot_cast(ballot=ballot, member=world.member.member, data=DATA(ballot))


def test_a_multiple_choice_poll_takes_up_to_its_limit(world):
    ballot = opened(world, Kind.POLL, max_choices=2)
    k = keys(ballot)
    with pytest.raises(ValidationError, match="at most 2"):
        services.ballot_cast(ballot=ballot, member=world.member.member, data={"choices": k})
    services.ballot_cast(ballot=ballot, member=world.member.member, data={"choices": [k[2], k[0]]})
    assert cast_papers(ballot).get().content == {"choices": {k[2]: True, k[0]: True}}


# Closing and publishing


def test_officers_cannot_close_before_the_closing_time(world):
    ballot = opened(world)
    for actor in (world.secretary, world.county_officer):
        with pytest.raises(ValidationError, match="open until"):
            services.ballot_close(ballot=ballot, actor=actor)
    with pytest.raises(ValidationError, match="open until"):  # nor the periodic task
        services.ballot_close(ballot=ballot, now=timezone.now())
    ballot.refresh_from_db()
    assert ballot.status == Status.OPEN and ballot.result is None


def test_closing_counts_the_papers(world):
    ballot = opened(world)
    cast_all(ballot, [world.member.member, world.secretary.member], {"choice": "for"})
    now = timezone.now()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    ballot = services.ballot_close(ballot=ballot, actor=world.secretary)
    ballot.refresh_from_db()
    assert ballot.status == Status.CLOSED and ballot.closed_at is not None and ballot.participants == 2
    assert ballot.result["passed"] is True and ballot.result["choices"]["for"] == 2
    with pytest.raises(ValidationError):
        services.ballot_close(ballot=ballot, actor=world.secretary)


def test_a_tie_at_the_last_seat_drafts_a_run_off_even_under_a_long_title(world):
    third = full_member(world.branch)
    ballot = opened(world, Kind.ELECTION, seats=2, options=["甲", "乙", "丙"], title="选" * 200)
    a, b, c = keys(ballot)
    voters = [world.member.member, world.secretary.member, third]
    for voter, chosen in zip(voters, [(a, b), (b, c), (a, c)], strict=True):
        marks = {key: "for" if key in chosen else "against" for key in (a, b, c)}
        services.ballot_cast(ballot=ballot, member=voter, data={"marks": marks})
    now = timezone.now()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    assert services.ballots_close_due(now=now) == 1
    ballot.refresh_from_db()
    assert ballot.status == Status.CLOSED and set(ballot.result["runoff"]) == {a, b, c}
    runoff = Ballot.objects.get(runoff_of=ballot)
    assert runoff.status == Status.DRAFT and runoff.seats == 2 and len(runoff.title) == 200
    assert sorted(runoff.options.values_list("label", flat=True)) == sorted(["甲", "乙", "丙"])


def test_the_periodic_task_closes_every_ballot_whose_time_is_over(world):
    now = timezone.now()
    due = [opened(world), opened(world, Kind.POLL)]
    for ballot in due:
        move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    running, draft = opened(world), create(world)
    move_times(draft, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    assert services.ballots_close_due(now=now) == 2
    statuses = dict(Ballot.objects.values_list("pk", "status"))
    expected = [Status.CLOSED, Status.CLOSED, Status.OPEN, Status.DRAFT]
    assert [statuses[b.pk] for b in (*due, running, draft)] == expected
    assert services.ballots_close_due(now=now) == 0
    assert services.ballots_close_due(now=now + 25 * HOUR) == 1  # the running one, once it is over


def test_only_a_closed_ballot_is_published(world):
    ballot = opened(world)
    with pytest.raises(ValidationError):
        services.ballot_publish(ballot=ballot, actor=world.secretary)
    with pytest.raises(ValidationError):
        services.ballot_publish(ballot=create(world), actor=world.secretary)
    now = timezone.now()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    services.ballot_close(ballot=ballot, actor=world.secretary)
    ballot = services.ballot_publish(ballot=ballot, actor=world.secretary)
    assert ballot.status == Status.PUBLISHED and ballot.published_at is not None
    with pytest.raises(ValidationError):
        services.ballot_publish(ballot=ballot, actor=world.secretary)


# Who may manage ballots


OUTSIDERS = ["member", "other_secretary", "other_member", "liaison"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_only_the_organizations_officers_manage_its_ballots(world, persona):
    actor = world.personas[persona]
    with pytest.raises(ValidationError, match="Only the organization"):
        create(world, actor=actor)
    draft = create(world)
    closing = opened(world)
    closed = opened(world)
    now = timezone.now()
    for ballot in (closing, closed):
        move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    services.ballot_close(ballot=closed, actor=world.secretary)
    attempts = [
        lambda: services.ballot_update(ballot=draft, actor=actor, title="改了"),
        lambda: services.ballot_open(ballot=draft, actor=actor),
        lambda: services.ballot_close(ballot=closing, actor=actor),
        lambda: services.ballot_publish(ballot=closed, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="Only the organization"):
            attempt()
    statuses = dict(Ballot.objects.values_list("pk", "status"))
    assert [statuses[b.pk] for b in (draft, closing, closed)] == [Status.DRAFT, Status.OPEN, Status.CLOSED]


def test_an_outsider_learns_nothing_of_the_state_of_a_ballot(world):
    ballot = opened(world)
    for attempt in (services.ballot_update, services.ballot_open, services.ballot_publish):
        with pytest.raises(ValidationError, match="Only the organization"):
            attempt(ballot=ballot, actor=world.other_secretary)


def test_officers_above_the_branch_manage_its_ballots(world):
    ballot = create(world, actor=world.county_officer)
    ballot = services.ballot_open(ballot=ballot, actor=world.county_officer)
    now = timezone.now()
    move_times(ballot, opens_at=now - 2 * HOUR, closes_at=now - HOUR)
    services.ballot_close(ballot=ballot, actor=world.county_officer)
    assert services.ballot_publish(ballot=ballot, actor=world.county_officer).status == Status.PUBLISHED
