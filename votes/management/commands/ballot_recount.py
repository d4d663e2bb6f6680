"""Count a ballot's bulletin board again and compare with the result it states.

    python manage.py ballot_recount ballot-12-board.json [--language en]

The board is the JSON file anyone who may see a published ballot downloads from its board page. The
papers are counted in plain Python (votes/board.py, not the database's query), the rules of
votes/tally.py turn the counts into a result, which is printed and compared with the board's stored
result. The exit status is 0 when they match and 1 when they do not (or the board is inconsistent).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from votes.board import MARK_LABELS, board_problems, board_recount


class Command(BaseCommand):
    help = "Recount a ballot's bulletin board (JSON) and compare with its stated result."

    def add_arguments(self, parser):
        parser.add_argument("board", help="the board file downloaded from the ballot's board page (JSON)")
        parser.add_argument("--language", help="language of the report, e.g. en or zh-hans")

    def handle(self, *args, board, language=None, **options):
        with translation.override(language or translation.get_language()):
            return self.recount(board)

    def recount(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            result = board_recount(data)
        except (OSError, ValueError, KeyError, TypeError) as error:
            message = _("Cannot read the board %(path)s: %(error)s") % {"path": path, "error": error}
            raise CommandError(message) from error
        for line in describe(data, result):
            self.stdout.write(line)
        problems = board_problems(data)
        for problem in problems:
            self.stderr.write(problem)
        if result == data.get("result") and not problems:
            self.stdout.write(self.style.SUCCESS(_("The recount matches the published result.")))
            return
        if result != data.get("result"):
            self.stderr.write(self.style.ERROR(_("The recount does NOT match the published result.")))
            for line in differences(result, data.get("result") or {}):
                self.stderr.write(line)
        raise SystemExit(1)


def describe(board: dict, result: dict) -> list[str]:
    """The recounted result, readably."""
    lines = [
        f"{board.get('title', '')} · {board.get('organization', '')} · {board.get('date', '')}",
        _("Entitled to vote: %(electorate)s · took part: %(participants)s · papers on the board: %(papers)s")
        % {
            "electorate": result["electorate"],
            "participants": result["participants"],
            "papers": len(board["papers"]),
        },
    ]
    kind = result["kind"]
    if kind == "resolution":
        for mark in ("for", "against", "abstain"):
            lines.append(f"  {MARK_LABELS[mark]}: {result['choices'][mark]}")
        lines.append(_("The resolution passed.") if result["passed"] else _("The resolution did not pass."))
        return lines
    lines.append(_("Invalid papers: %(invalid)s") % {"invalid": result["invalid"]})
    if kind == "poll":
        for row in result["options"]:
            lines.append(f"  {row['label']}: {row['votes']}")
        return lines
    for row in result["candidates"]:
        lines.append(
            f"  {row['label']}: {MARK_LABELS['for']} {row['for']} · {MARK_LABELS['against']} {row['against']}"
            f" · {MARK_LABELS['abstain']} {row['abstain']}"
        )
    labels = {row["key"]: row["label"] for row in result["candidates"]}
    if not result["valid"]:
        lines.append(_("The election is not valid: more than four fifths of the electorate must take part."))
        return lines
    lines.append(_("The election is valid."))
    elected = ", ".join(labels[key] for key in result["elected"]) or _("nobody")
    lines.append(_("Elected: %(names)s") % {"names": elected})
    if result["runoff"]:
        seats = result["runoff_seats"]
        lines.append(
            ngettext(
                "A run-off is needed between %(names)s for the last seat.",
                "A run-off is needed between %(names)s for the last %(seats)s seats.",
                seats,
            )
            % {"names": ", ".join(labels[key] for key in result["runoff"]), "seats": seats}
        )
    return lines


def differences(recounted: dict, stated: dict) -> list[str]:
    return [
        _("  %(field)s: recounted %(recounted)s, stated %(stated)s")
        % {"field": key, "recounted": json.dumps(recounted.get(key), ensure_ascii=False),
           "stated": json.dumps(stated.get(key), ensure_ascii=False)}
        for key in sorted(set(recounted) | set(stated))
        if recounted.get(key) != stated.get(key)
    ]
