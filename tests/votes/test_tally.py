"""Counting (votes/tally.py) by the rules of DOMAIN.md: their edges, a run-off drafted on a tie at the
last seat, over-voted papers, write-ins, and a property test against an independent count.

The helpers here (`open_ballot`, `cast_all`, `closed`) are shared by the other ballot-result tests.
"""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from tests import factories
from votes import services
from votes.board import board_data, board_recount
from votes.models import Ballot, BallotPaper, Option
from votes.tally import ballot_tally, election_result, option_key, resolution_result

Kind = Ballot.Kind


# Helpers


def electorate_of(world, size: int) -> list:
    """The branch's full members, `size` in all (张三 and 李书记 are two of them)."""
    for _ in range(size - 2):
        factories.member(organization=world.branch)
    return list(world.branch.members.filter(status="full").order_by("pk"))


def open_ballot(world, kind=Kind.RESOLUTION, *, options=(), seats=None, max_choices=1, title=None) -> Ballot:
    now = timezone.now()
    ballot = services.ballot_create(
        actor=world.secretary,
        organization=world.branch,
        kind=kind,
        title=title or f"{kind} ballot",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
        options=list(options),
        seats=seats,
        max_choices=max_choices,
    )
    return services.ballot_open(ballot=ballot, actor=world.secretary)


def keys(ballot) -> dict:
    """Option key by label."""
    return {o.label: option_key(o.pk) for o in ballot.options.all()}


def cast_all(ballot, members, papers: list[dict]) -> list[str]:
    return [
        services.ballot_cast(ballot=ballot, member=member, data=data)
        for member, data in zip(members, papers, strict=False)
    ]


def closed(ballot) -> Ballot:
    return services.ballot_close(ballot=ballot, now=ballot.closes_at)


def marks(ballot, **by_label) -> dict:
    """An election paper: every candidate abstains unless given; `write_ins=[…]` adds names."""
    write_ins = by_label.pop("write_ins", [])
    k = keys(ballot)
    data = {"marks": {key: by_label.get(label, "abstain") for label, key in k.items()}}
    if write_ins:
        data["write_ins"] = write_ins
    return data


def label_marks(ballot, mapping: dict) -> dict:
    """Like `marks` for labels that are not Python names."""
    k = keys(ballot)
    return {"marks": {key: mapping.get(label, "abstain") for label, key in k.items()}}


# Resolutions: more than half of the electorate, not of those voting


def test_a_resolution_with_exactly_half_of_the_electorate_for_does_not_pass():
    assert resolution_result(choices={"for": 5, "against": 0, "abstain": 0}, electorate=10)["passed"] is False
    assert resolution_result(choices={"for": 6, "against": 0, "abstain": 0}, electorate=10)["passed"] is True
    assert resolution_result(choices={"for": 3}, electorate=7)["passed"] is False
    assert resolution_result(choices={"for": 4}, electorate=7)["passed"] is True


def test_votes_for_count_against_the_electorate_not_the_participants(world):
    members = electorate_of(world, 10)
    ballot = open_ballot(world)
    # 5 of 10 for, nobody against: every voter is for, yet half the electorate is not more than half
    cast_all(ballot, members, [{"choice": "for"}] * 5)
    result = closed(ballot).result
    assert result["choices"] == {"for": 5, "against": 0, "abstain": 0}
    assert (result["electorate"], result["participants"], result["passed"]) == (10, 5, False)


def test_one_vote_more_than_half_of_the_electorate_passes(world):
    members = electorate_of(world, 10)
    ballot = open_ballot(world)
    cast_all(ballot, members, [{"choice": "for"}] * 6 + [{"choice": "against"}] * 3 + [{"choice": "abstain"}])
    result = closed(ballot).result
    assert result["choices"] == {"for": 6, "against": 3, "abstain": 1}
    assert result["passed"] is True


# Elections


def election(**kwargs) -> dict:
    defaults = {"marks": {}, "write_ins": {}, "invalid": 0}
    defaults.update(kwargs)
    return election_result(**defaults)


CANDIDATES = [("o1", "甲"), ("o2", "乙"), ("o3", "丙"), ("o4", "丁")]


def test_an_election_with_exactly_four_fifths_taking_part_is_not_valid():
    everyone_for = {key: {"for": 8} for key, _label in CANDIDATES[:2]}
    exact = election(candidates=CANDIDATES, marks=everyone_for, electorate=10, participants=8, seats=2)
    assert exact["valid"] is False and exact["elected"] == [] and exact["runoff"] == []
    above = election(candidates=CANDIDATES, marks=everyone_for, electorate=10, participants=9, seats=2)
    assert above["valid"] is True and sorted(above["elected"]) == ["o1", "o2"]
    # 4/5 of 5 is 4: 4 is not enough, 5 is
    assert election(candidates=CANDIDATES, electorate=5, participants=4, seats=1)["valid"] is False
    assert election(candidates=CANDIDATES, electorate=5, participants=5, seats=1)["valid"] is True


def test_a_candidate_with_exactly_half_of_the_participants_is_not_elected():
    result = election(
        candidates=CANDIDATES,
        marks={"o1": {"for": 5}, "o2": {"for": 6}},
        electorate=10,
        participants=10,
        seats=2,
    )
    rows = {row["key"]: row for row in result["candidates"]}
    assert rows["o1"]["passes"] is False and rows["o2"]["passes"] is True
    assert result["elected"] == ["o2"]


def test_more_candidates_passing_than_seats_elects_the_top_ones():
    votes = {"o1": {"for": 7}, "o2": {"for": 9}, "o3": {"for": 6}, "o4": {"for": 8}}
    result = election(candidates=CANDIDATES, marks=votes, electorate=10, participants=10, seats=2)
    assert result["elected"] == ["o2", "o4"] and result["runoff"] == [] and result["runoff_seats"] == 0


def test_a_tie_at_the_last_seat_goes_to_a_run_off_between_the_tied():
    votes = {"o1": {"for": 9}, "o2": {"for": 7}, "o3": {"for": 7}, "o4": {"for": 7}}
    result = election(candidates=CANDIDATES, marks=votes, electorate=10, participants=10, seats=2)
    assert result["elected"] == ["o1"]
    assert sorted(result["runoff"]) == ["o2", "o3", "o4"] and result["runoff_seats"] == 1
    # a tie that fits within the seats is no tie at the last seat
    fits = election(candidates=CANDIDATES, marks=votes, electorate=10, participants=10, seats=4)
    assert sorted(fits["elected"]) == ["o1", "o2", "o3", "o4"] and fits["runoff"] == []
    # everyone tied for two seats: a run-off for both
    level = {key: {"for": 8} for key, _label in CANDIDATES[:3]}
    both = election(candidates=CANDIDATES, marks=level, electorate=10, participants=10, seats=2)
    assert (
        both["elected"] == [] and sorted(both["runoff"]) == ["o1", "o2", "o3"] and both["runoff_seats"] == 2
    )


def test_closing_a_tied_election_drafts_the_run_off_with_the_tied_candidates(world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙", "丁"], seats=2, title="支委会选举")
    papers = [
        label_marks(ballot, {"甲": "for", "乙": "for"}),
        label_marks(ballot, {"甲": "for", "乙": "for", "丁": "against"}),
        label_marks(ballot, {"甲": "for", "丙": "for"}),
        label_marks(ballot, {"甲": "for", "丙": "for"}),
        label_marks(ballot, {"乙": "for", "丙": "for"}),
    ]  # 甲 4, 乙 3, 丙 3 of 5: all pass, 乙 and 丙 tie for the second seat
    cast_all(ballot, members, papers)
    ballot = closed(ballot)
    k = keys(ballot)
    assert ballot.result["valid"] is True
    assert ballot.result["elected"] == [k["甲"]]
    assert (
        sorted(ballot.result["runoff"]) == sorted([k["乙"], k["丙"]]) and ballot.result["runoff_seats"] == 1
    )

    runoff = Ballot.objects.get(runoff_of=ballot)
    assert runoff.status == Ballot.Status.DRAFT and runoff.kind == Kind.ELECTION
    assert runoff.seats == 1 and runoff.organization == ballot.organization
    assert sorted(runoff.options.values_list("label", flat=True)) == ["丙", "乙"]


def test_no_run_off_without_a_tie(world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=1)
    cast_all(ballot, members, [label_marks(ballot, {"甲": "for"})] * 5)
    ballot = closed(ballot)
    assert (
        ballot.result["elected"] == [keys(ballot)["甲"]]
        and not Ballot.objects.filter(runoff_of=ballot).exists()
    )


def test_an_over_voted_paper_is_invalid_counted_apart_and_still_took_part(world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=1)
    over = label_marks(ballot, {"甲": "for", "乙": "for"})
    over_by_write_in = {**label_marks(ballot, {"甲": "for"}), "write_ins": ["王某"]}
    good = label_marks(ballot, {"甲": "for", "乙": "against"})
    fewer = label_marks(ballot, {})  # marking fewer than the seats is valid
    cast_all(ballot, members, [over, over_by_write_in, good, good, fewer])

    assert BallotPaper.objects.filter(ballot=ballot, valid=False).count() == 2
    result = closed(ballot).result
    rows = {row["label"]: row for row in result["candidates"]}
    assert (result["participants"], result["invalid"]) == (5, 2)
    assert (rows["甲"]["for"], rows["乙"]["for"], rows["乙"]["against"]) == (2, 0, 2)
    assert "王某" not in rows  # an invalid paper's write-in counts for nobody
    assert result["valid"] is True  # 5 of 5 took part, the 2 invalid papers included
    assert result["elected"] == []  # 2 for of 5 who took part is not more than half


def test_write_ins_are_counted_and_can_be_elected(world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=2)
    papers = [
        {**label_marks(ballot, {"甲": "for"}), "write_ins": ["王某"]},
        {**label_marks(ballot, {"甲": "for"}), "write_ins": ["王某"]},
        {**label_marks(ballot, {"乙": "for"}), "write_ins": ["王某"]},
        {**label_marks(ballot, {"甲": "for"}), "write_ins": ["赵某"]},
        label_marks(ballot, {"乙": "for"}),
    ]
    cast_all(ballot, members, papers)
    result = closed(ballot).result
    rows = {row["label"]: row for row in result["candidates"]}
    assert rows["王某"]["for"] == 3 and rows["王某"].get("write_in") is True
    assert rows["赵某"]["for"] == 1
    assert sorted(result["elected"]) == sorted([keys(ballot)["甲"], "w:王某"])


# Polls


def test_a_poll_counts_each_choice(world):
    members = electorate_of(world, 4)
    ballot = open_ballot(world, Kind.POLL, options=["周六", "周日", "周五晚"], max_choices=2)
    k = keys(ballot)
    cast_all(
        ballot,
        members,
        [
            {"choices": [k["周六"], k["周日"]]},
            {"choices": [k["周六"]]},
            {"choices": [k["周五晚"]]},
        ],
    )
    result = closed(ballot).result
    assert [(row["label"], row["votes"]) for row in result["options"]] == [
        ("周六", 2),
        ("周日", 1),
        ("周五晚", 1),
    ]
    assert (result["participants"], result["invalid"], result["electorate"]) == (3, 0, 4)


def test_a_stale_ballot_object_is_counted_against_its_frozen_electorate(world):
    electorate_of(world, 4)
    now = timezone.now()
    draft = services.ballot_create(
        actor=world.secretary,
        organization=world.branch,
        kind=Kind.RESOLUTION,
        title="t",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
    )
    services.ballot_open(ballot=draft, actor=world.secretary)
    assert draft.electorate_size is None  # the caller's copy was not refreshed
    assert ballot_tally(draft)["electorate"] == 4


# A property test: random papers, counted by the tally and by a plain count written here


MARK_WEIGHTS = (("for", 5), ("against", 2), ("abstain", 1))
OUTCOMES = Counter()  # what the random ballots came to: the property test must reach every rule
WRITE_IN_POOL = ("王某", "赵某", "钱某")


def independent_result(kind, labels, papers, electorate, seats):
    """A straightforward count and the rules, written apart from votes/tally.py."""
    participants = len(papers)
    if kind == Kind.RESOLUTION:
        tally = Counter(paper["choice"] for paper in papers)
        return {
            "choices": {m: tally[m] for m in ("for", "against", "abstain")},
            "passed": tally["for"] > electorate / 2,
        }
    if kind == Kind.POLL:
        return {"votes": {label: sum(key in paper["choices"] for paper in papers) for key, label in labels}}
    valid = [
        paper
        for paper in papers
        if list(paper["marks"].values()).count("for") + len(paper.get("write_ins", [])) <= seats
    ]
    votes = {}
    for key, label in labels:
        votes[label] = {m: sum(p["marks"][key] == m for p in valid) for m in ("for", "against", "abstain")}
    for paper in valid:
        for name in paper.get("write_ins", []):
            votes.setdefault(name, {"for": 0, "against": 0, "abstain": 0})["for"] += 1
    took_part_enough = participants > electorate * 4 / 5
    passing = {name: v["for"] for name, v in votes.items() if v["for"] > participants / 2}
    elected, runoff = set(), set()
    if took_part_enough:
        for name, n in passing.items():
            at_least = sum(1 for m in passing.values() if m >= n)
            more = sum(1 for m in passing.values() if m > n)
            if at_least <= seats:
                elected.add(name)
            elif more < seats:
                runoff.add(name)
    return {
        "votes": votes,
        "invalid": participants - len(valid),
        "valid": took_part_enough,
        "elected": elected,
        "runoff": runoff,
        "runoff_seats": seats - len(elected) if runoff else 0,
    }


def comparable(result: dict, labels: dict) -> dict:
    """The tally's result in the shape of `independent_result` (write-ins by name, keys by label)."""
    if result["kind"] == Kind.RESOLUTION:
        return {"choices": result["choices"], "passed": result["passed"]}
    if result["kind"] == Kind.POLL:
        return {"votes": {row["label"]: row["votes"] for row in result["options"]}}
    names = {row["key"]: row["label"] for row in result["candidates"]}
    return {
        "votes": {
            row["label"]: {m: row[m] for m in ("for", "against", "abstain")} for row in result["candidates"]
        },
        "invalid": result["invalid"],
        "valid": result["valid"],
        "elected": {names[key] for key in result["elected"]},
        "runoff": {names[key] for key in result["runoff"]},
        "runoff_seats": result["runoff_seats"],
    }


def random_ballot(rng: random.Random):
    kind = rng.choice([Kind.RESOLUTION, Kind.ELECTION, Kind.ELECTION, Kind.POLL])
    electorate = rng.randint(1, 12)
    labels = [] if kind == Kind.RESOLUTION else [f"候选{n}" for n in range(rng.randint(2, 5))]
    seats = rng.randint(1, len(labels) - 1) if kind == Kind.ELECTION else None
    max_choices = rng.randint(1, len(labels)) if kind == Kind.POLL else 1
    # mostly a high turnout, so that elections are often valid and ties at the last seat happen
    participants = rng.choice([electorate, electorate, rng.randint(0, electorate)])
    return kind, electorate, labels, seats, max_choices, participants


def random_paper(rng: random.Random, kind, keys_, seats, max_choices, blocs=(), n=0) -> dict:
    if kind == Kind.RESOLUTION:
        return {"choice": rng.choices([m for m, _w in MARK_WEIGHTS], [w for _m, w in MARK_WEIGHTS])[0]}
    if kind == Kind.POLL:
        return {"choices": rng.sample(keys_, rng.randint(1, max_choices))}
    # mostly as many people for as there are seats (so that ties happen), sometimes one too many
    write_ins = rng.sample(WRITE_IN_POOL, rng.randint(1, 2)) if rng.random() < 0.2 else []
    wanted = max(0, rng.choice([seats, seats, seats - 1, seats + 1]) - len(write_ins))
    chosen = set(rng.sample(keys_, min(wanted, len(keys_))))
    if blocs and rng.random() < 0.85:  # most voters follow the slates in turn: clear winners and ties
        chosen, write_ins = set(blocs[n % len(blocs)]), []
    paper = {"marks": {key: "for" if key in chosen else rng.choice(["against", "abstain"]) for key in keys_}}
    if write_ins:
        paper["write_ins"] = write_ins
    return paper


def slates(rng: random.Random, keys_, seats) -> list:
    """A few slates of `seats` candidates; half the time a ring of seats + 1 candidates, each slate
    leaving one out, so that voters taking them in turn tie them all."""
    if not seats:
        return []
    if rng.random() < 0.5:
        ring = rng.sample(keys_, seats + 1)
        return [[key for key in ring if key != out] for out in ring]
    return [rng.sample(keys_, seats) for _ in range(rng.randint(1, 3))]


def stored_content(kind, paper) -> tuple[dict, bool]:
    """The content a cast would store (votes/tally.py's formats)."""
    if kind == Kind.POLL:
        return {"choices": {key: True for key in paper["choices"]}}, True
    if kind == Kind.RESOLUTION:
        return dict(paper), True
    return paper, None  # validity: left to the independent count's rule below


def check(ballot, labels, papers, electorate):
    result = ballot_tally(ballot)
    expected = independent_result(ballot.kind, labels, papers, electorate, ballot.seats)
    OUTCOMES[ballot.kind] += 1
    if ballot.kind == Kind.ELECTION:
        OUTCOMES["valid" if expected["valid"] else "not valid"] += 1
        OUTCOMES["run-off" if expected["runoff"] else "elected" if expected["elected"] else "none"] += 1
        OUTCOMES["over-voted"] += expected["invalid"] > 0
        OUTCOMES["write-in"] += any(name in WRITE_IN_POOL for name in expected["votes"])
    elif ballot.kind == Kind.RESOLUTION:
        OUTCOMES["passed" if expected["passed"] else "not passed"] += 1
    assert comparable(result, dict(labels)) == expected
    assert result["participants"] == len(papers) and result["electorate"] == electorate
    ballot.result = result
    assert board_recount(board_data(ballot)) == result  # the recount command's count agrees too


def test_the_tally_equals_an_independent_count_for_random_papers(world, django_assert_max_num_queries):
    for seed in range(200):
        rng = random.Random(seed)
        kind, electorate, labels, seats, max_choices, participants = random_ballot(rng)
        now = timezone.now()
        ballot = Ballot.objects.create(
            organization=world.branch,
            kind=kind,
            title=f"seed {seed}",
            opens_at=now,
            closes_at=now + datetime.timedelta(hours=1),
            seats=seats,
            max_choices=max_choices,
            status=Ballot.Status.CLOSED,
            electorate_size=electorate,
        )
        Option.objects.bulk_create(
            Option(ballot=ballot, label=label, position=n) for n, label in enumerate(labels)
        )
        options = list(ballot.options.all())
        keys_ = [option_key(o.pk) for o in options]
        ballot_slates = slates(rng, keys_, seats)
        papers = [
            random_paper(rng, kind, keys_, seats, max_choices, ballot_slates, n) for n in range(participants)
        ]
        rows = []
        for n, paper in enumerate(papers):
            content, valid = stored_content(kind, paper)
            if valid is None:
                valid = list(paper["marks"].values()).count("for") + len(paper.get("write_ins", [])) <= seats
            rows.append(
                BallotPaper(
                    ballot=ballot,
                    cast_on=ballot.ballot_date,
                    receipt=f"S{seed:03d}R{n:04d}",
                    content=content,
                    valid=valid,
                )
            )
        blanks = [
            BallotPaper(ballot=ballot, cast_on=ballot.ballot_date) for _ in range(electorate - participants)
        ]
        BallotPaper.objects.bulk_create(rows + blanks)
        with django_assert_max_num_queries(3):  # options, the counts, the write-ins
            ballot_tally(ballot)
        check(ballot, [(option_key(o.pk), o.label) for o in options], papers, electorate)
    reached = ("passed", "not passed", "valid", "not valid", "elected", "run-off", "over-voted", "write-in")
    assert all(OUTCOMES[outcome] for outcome in reached), OUTCOMES


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_equals_an_independent_count_for_random_casts(world, seed):
    """The same through the casting service, on a real electorate: slower, so a few seeds only."""
    members = electorate_of(world, 6)
    rng = random.Random(seed)
    for kind, options, seats, max_choices in (
        (Kind.RESOLUTION, (), None, 1),
        (Kind.ELECTION, ("甲", "乙", "丙", "丁"), 2, 1),
        (Kind.POLL, ("一", "二", "三"), None, 2),
    ):
        ballot = open_ballot(world, kind, options=options, seats=seats, max_choices=max_choices)
        option_rows = list(ballot.options.all())
        keys_ = [option_key(o.pk) for o in option_rows]
        voters = rng.sample(members, rng.randint(len(members) - 2, len(members)))
        papers = [random_paper(rng, kind, keys_, seats, max_choices) for _ in voters]
        cast_all(ballot, voters, papers)
        ballot = closed(ballot)
        check(ballot, [(option_key(o.pk), o.label) for o in option_rows], papers, len(members))
