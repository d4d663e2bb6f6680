"""The bulletin board of a ballot: every cast paper by its receipt code, with turnout and no voters.

`board_data` is what the board page shows and what anyone who may see it downloads as JSON. It holds
no voter, no member id and no time but the ballot's date; papers are listed by receipt code (random),
never by id or row order. `board_recount` counts such a board again in plain Python, apart from the
database's `tally.count_papers`, and applies the same rules (`tally.result_from_counts`): the
`ballot_recount` command runs it on a downloaded file.
"""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Ballot, BallotPaper
from .tally import MARKS, option_key, result_from_counts

FORMAT = "ebranch-ballot-board/1"
MARK_LABELS = {
    "for": gettext_lazy("for"),
    "against": gettext_lazy("against"),
    "abstain": gettext_lazy("abstain"),
}


def board_papers(ballot: Ballot) -> list[dict]:
    """The cast papers, by receipt code: one query whatever their number."""
    rows = (
        BallotPaper.objects.filter(ballot=ballot, receipt__isnull=False)
        .order_by("receipt")
        .values_list("receipt", "content", "valid")
    )
    return [{"receipt": receipt, "content": content, "valid": valid} for receipt, content, valid in rows]


def board_data(ballot: Ballot, options: list | None = None, papers: list[dict] | None = None) -> dict:
    """The board as plain data (JSON): the ballot, its options, turnout, every paper, the stored result."""
    options = list(ballot.options.order_by("position", "pk")) if options is None else options
    papers = board_papers(ballot) if papers is None else papers
    return {
        "format": FORMAT,
        "ballot": ballot.pk,
        "organization": ballot.organization.name,
        "kind": ballot.kind,
        "title": ballot.title,
        "date": ballot.ballot_date.isoformat(),
        "seats": ballot.seats,
        "max_choices": ballot.max_choices,
        "options": [{"key": option_key(o.pk), "label": o.label} for o in options],
        "electorate": ballot.electorate_size or 0,
        "participants": len(papers),
        "turnout": turnout(len(papers), ballot.electorate_size or 0),
        "papers": papers,
        "result": ballot.result,
    }


def turnout(participants: int, electorate: int) -> str:
    """Participants as a percentage of the electorate, one decimal: "83.3"."""
    if not electorate:
        return "0.0"
    return f"{100 * participants / electorate:.1f}"


# Reading a paper


def paper_text(kind: str, content: dict, labels: dict) -> str:
    """A paper's content in words: "for"; "甲: for · 乙: against · written in: 丁"; "甲, 丙"."""
    content = content or {}
    if kind == Ballot.Kind.RESOLUTION:
        return str(MARK_LABELS.get(content.get("choice"), content.get("choice", "")))
    if kind == Ballot.Kind.POLL:
        chosen = [labels.get(key, key) for key in labels if (content.get("choices") or {}).get(key)]
        return ", ".join(chosen) or "—"
    marks = content.get("marks") or {}
    parts = [
        f"{labels.get(key, key)}: {MARK_LABELS.get(mark, mark)}" for key, mark in _in_order(marks, labels)
    ]
    write_ins = content.get("write_ins") or []
    if write_ins:
        parts.append(_("written in: %(names)s") % {"names": ", ".join(write_ins)})
    return " · ".join(parts)


def _in_order(marks: dict, labels: dict) -> list[tuple[str, str]]:
    known = [(key, marks[key]) for key in labels if key in marks]
    return known + [(key, mark) for key, mark in marks.items() if key not in labels]


# Counting a board again, in plain Python


def paper_is_valid(kind: str, content: dict, seats: int | None) -> bool:
    """An election paper marking more people for than there are seats is invalid; every other paper
    on the board is valid."""
    if kind != Ballot.Kind.ELECTION:
        return True
    marks = (content or {}).get("marks") or {}
    write_ins = (content or {}).get("write_ins") or []
    votes_for = sum(1 for mark in marks.values() if mark == "for") + len(write_ins)
    return votes_for <= (seats or 0)


def recount_counts(board: dict) -> dict:
    """The counts of a board's papers, in the shape `tally.count_papers` gives, made without SQL."""
    kind, seats = board["kind"], board.get("seats")
    keys = [option["key"] for option in board["options"]]
    papers = board["papers"]
    contents = [paper.get("content") or {} for paper in papers]
    if kind == Ballot.Kind.RESOLUTION:
        choices = Counter(content.get("choice") for content in contents)
        return {"participants": len(papers), "invalid": 0, "choices": {m: choices.get(m, 0) for m in MARKS}}
    valid = [content for content in contents if paper_is_valid(kind, content, seats)]
    counts = {"participants": len(papers), "invalid": len(papers) - len(valid)}
    if kind == Ballot.Kind.POLL:
        counts["choices"] = {
            key: sum(1 for content in valid if (content.get("choices") or {}).get(key)) for key in keys
        }
        return counts
    marks = [content.get("marks") or {} for content in valid]
    counts["marks"] = {
        key: {mark: sum(1 for paper in marks if paper.get(key) == mark) for mark in MARKS} for key in keys
    }
    counts["write_ins"] = dict(Counter(name for content in valid for name in content.get("write_ins") or []))
    return counts


def board_recount(board: dict) -> dict:
    """The result of a board counted again: the same rules as the tally, applied to its own counts."""
    return result_from_counts(
        kind=board["kind"],
        options=[(option["key"], option["label"]) for option in board["options"]],
        counts=recount_counts(board),
        electorate=board["electorate"],
        seats=board.get("seats"),
    )


def board_problems(board: dict) -> list[str]:
    """What in a board does not hold together: validity flags and turnout that the papers contradict."""
    problems = []
    for paper in board["papers"]:
        valid = paper_is_valid(board["kind"], paper.get("content"), board.get("seats"))
        if bool(paper.get("valid")) != valid:
            problems.append(
                _("Paper %(receipt)s is marked %(marked)s but is %(valid)s.")
                % {
                    "receipt": paper.get("receipt"),
                    "marked": _("valid") if paper.get("valid") else _("invalid"),
                    "valid": _("valid") if valid else _("invalid"),
                }
            )
    if board.get("participants") != len(board["papers"]):
        problems.append(
            _("The board says %(said)s took part but lists %(papers)s papers.")
            % {"said": board.get("participants"), "papers": len(board["papers"])}
        )
    receipts = [paper.get("receipt") for paper in board["papers"]]
    if len(set(receipts)) != len(receipts):
        problems.append(_("A receipt code appears more than once."))
    return problems
