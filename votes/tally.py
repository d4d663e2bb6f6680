"""Counting papers and the rules of DOMAIN.md that turn counts into a result.

`count_papers` asks the database for the counts in one GROUP BY or one aggregate query. The rules
(`resolution_result`, `election_result`, `poll_result`) are pure functions of counts, so the
recount command (`manage.py ballot_recount`) applies the very same rules to counts it makes itself
from the published bulletin board.
Paper contents, by kind:
    resolution  {"choice": "for" | "against" | "abstain"}
    election    {"marks": {"o<option id>": "for" | "against" | "abstain", …}, "write_ins": ["name", …]}
                ("write_ins" only when there are some)
    poll        {"choices": {"o<option id>": true, …}}
Option keys carry a letter because a key of digits alone reads as an array index in a JSON path.
"""

from collections import Counter

from django.db.models import Count, Q
from django.db.models.fields.json import KT

from .models import Ballot, BallotPaper

MARKS = ("for", "against", "abstain")


def option_key(option_id: int) -> str:
    return f"o{option_id}"


def write_in_key(name: str) -> str:
    return f"w:{name}"


# Counting in the database


def count_papers(ballot: Ballot, options: list) -> dict:
    """Counts of the ballot's cast papers: {"participants", "invalid", "marks" | "choices", "write_ins"}."""
    cast = BallotPaper.objects.filter(ballot=ballot, receipt__isnull=False)
    if ballot.kind == Ballot.Kind.RESOLUTION:
        rows = cast.values(choice=KT("content__choice")).annotate(n=Count("pk")).order_by()
        choices = {row["choice"]: row["n"] for row in rows}
        participants = sum(choices.values())
        return {"participants": participants, "invalid": 0, "choices": {m: choices.get(m, 0) for m in MARKS}}
    aggregates = {"participants": Count("pk"), "invalid": Count("pk", filter=Q(valid=False))}
    valid = Q(valid=True)
    for option in options:
        key = option_key(option.pk)
        if ballot.kind == Ballot.Kind.ELECTION:
            # The mark as text (content->'marks'->>'o1' = 'for'), cheaper than comparing JSON values.
            cast = cast.alias(**{f"mark_{key}": KT(f"content__marks__{key}")})
            for mark in MARKS:
                aggregates[f"{key}:{mark}"] = Count("pk", filter=valid & Q(**{f"mark_{key}": mark}))
        else:
            aggregates[key] = Count("pk", filter=valid & Q(**{"content__choices__has_key": key}))
    totals = cast.aggregate(**aggregates)
    counts = {"participants": totals.pop("participants"), "invalid": totals.pop("invalid")}
    if ballot.kind == Ballot.Kind.POLL:
        counts["choices"] = totals
        return counts
    marks: dict[str, dict[str, int]] = {}
    for name, n in totals.items():
        key, mark = name.split(":")
        marks.setdefault(key, {})[mark] = n
    counts["marks"] = marks
    names = cast.filter(valid=True, content__has_key="write_ins").values_list("content__write_ins", flat=True)
    counts["write_ins"] = dict(Counter(name for group in names for name in group))
    return counts


# The rules


def resolution_result(*, choices: dict, electorate: int) -> dict:
    """Passed when the votes for exceed half of the electorate, not of those voting."""
    votes_for = choices.get("for", 0)
    return {
        "kind": "resolution",
        "electorate": electorate,
        "participants": sum(choices.values()),
        "choices": {m: choices.get(m, 0) for m in MARKS},
        "passed": 2 * votes_for > electorate,
    }


def election_result(
    *,
    candidates: list[tuple[str, str]],
    marks: dict,
    write_ins: dict,
    electorate: int,
    participants: int,
    invalid: int,
    seats: int,
) -> dict:
    """Valid only when more than 4/5 of the electorate took part. A candidate (or a written-in person)
    passes with more than half of the votes of those who took part; of those who pass the most votes
    win the seats, and a tie at the last seat is left to a run-off between the tied."""
    rows = [
        {"key": key, "label": label, **{m: marks.get(key, {}).get(m, 0) for m in MARKS}}
        for key, label in candidates
    ]
    rows += [
        {"key": write_in_key(name), "label": name, "for": n, "against": 0, "abstain": 0, "write_in": True}
        for name, n in sorted(write_ins.items())
    ]
    for row in rows:
        row["passes"] = 2 * row["for"] > participants
    rows.sort(key=lambda row: (-row["for"], row["label"]))
    valid_vote = 5 * participants > 4 * electorate
    elected, runoff = [], []
    passing = [row for row in rows if row["passes"]] if valid_vote else []
    if len(passing) <= seats:
        elected = passing
    else:
        last = passing[seats - 1]["for"]
        above = [row for row in passing if row["for"] > last]
        tied = [row for row in passing if row["for"] == last]
        if len(above) + len(tied) <= seats:
            elected = above + tied
        else:
            elected, runoff = above, tied
    return {
        "kind": "election",
        "electorate": electorate,
        "participants": participants,
        "invalid": invalid,
        "seats": seats,
        "valid": valid_vote,
        "candidates": rows,
        "elected": [row["key"] for row in elected],
        "runoff": [row["key"] for row in runoff],
        "runoff_seats": seats - len(elected) if runoff else 0,
    }


def poll_result(
    *, options: list[tuple[str, str]], choices: dict, electorate: int, participants: int, invalid: int
) -> dict:
    rows = [{"key": key, "label": label, "votes": choices.get(key, 0)} for key, label in options]
    return {
        "kind": "poll",
        "electorate": electorate,
        "participants": participants,
        "invalid": invalid,
        "options": sorted(rows, key=lambda row: -row["votes"]),
    }


def result_from_counts(
    *, kind: str, options: list[tuple[str, str]], counts: dict, electorate: int, seats: int | None
) -> dict:
    if kind == Ballot.Kind.RESOLUTION:
        return resolution_result(choices=counts["choices"], electorate=electorate)
    if kind == Ballot.Kind.ELECTION:
        return election_result(
            candidates=options,
            marks=counts["marks"],
            write_ins=counts["write_ins"],
            electorate=electorate,
            participants=counts["participants"],
            invalid=counts["invalid"],
            seats=seats,
        )
    return poll_result(
        options=options,
        choices=counts["choices"],
        electorate=electorate,
        participants=counts["participants"],
        invalid=counts["invalid"],
    )


def ballot_tally(ballot: Ballot) -> dict:
    options = list(ballot.options.order_by("position", "pk"))  # not by the ballot: no join
    counts = count_papers(ballot, options)
    electorate = ballot.electorate_size
    if electorate is None:  # a copy made before the ballot opened: its frozen electorate
        electorate = ballot.electors.count()
    return result_from_counts(
        kind=ballot.kind,
        options=[(option_key(o.pk), o.label) for o in options],
        counts=counts,
        electorate=electorate,
        seats=ballot.seats,
    )
