"""The result of a ballot in words (for the results page and the PDF record) and the PDF record itself,
made once by a Celery task into `Ballot.record_pdf` (private storage)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ebranch.lib.pdf import render_to_pdf

from .board import turnout
from .models import Ballot

TEMPLATE = "votes/pdf/result.html"
RECORDED = (Ballot.Status.CLOSED, Ballot.Status.PUBLISHED)
logger = logging.getLogger(__name__)


def result_summary(ballot: Ballot, runoff: Ballot | None = None) -> dict:
    """The stored result, ready for a template: the outcome in words, the rows of the counts table,
    turnout, invalid papers, and for an election the elected and the run-off."""
    result = ballot.result or {}
    kind = result.get("kind", ballot.kind)
    electorate = result.get("electorate", ballot.electorate_size or 0)
    participants = result.get("participants", ballot.participants or 0)
    summary = {
        "kind": kind,
        "electorate": electorate,
        "participants": participants,
        "turnout": turnout(participants, electorate),
        "invalid": result.get("invalid", 0),
        "runoff_ballot": runoff,
    }
    if kind == Ballot.Kind.RESOLUTION:
        choices = result.get("choices", {})
        summary.update(
            passed=bool(result.get("passed")),
            needed=electorate // 2 + 1,
            rows=[
                {"label": _("For"), "votes": choices.get("for", 0)},
                {"label": _("Against"), "votes": choices.get("against", 0)},
                {"label": _("Abstain"), "votes": choices.get("abstain", 0)},
            ],
        )
    elif kind == Ballot.Kind.ELECTION:
        elected, runoff_keys = set(result.get("elected", [])), set(result.get("runoff", []))
        rows = [
            {**row, "elected": row["key"] in elected, "runoff": row["key"] in runoff_keys}
            for row in result.get("candidates", [])
        ]
        labels = {row["key"]: row["label"] for row in rows}
        valid = bool(result.get("valid"))
        summary.update(
            valid=valid,
            seats=result.get("seats", ballot.seats),
            needed=participants // 2 + 1,
            turnout_needed=electorate * 4 // 5 + 1,
            rows=rows,
            elected=[labels[key] for key in result.get("elected", [])],
            runoff=[labels[key] for key in result.get("runoff", [])],
            runoff_seats=result.get("runoff_seats", 0),
        )
    else:
        options = result.get("options", [])
        top = options[0]["votes"] if options else 0
        summary.update(
            rows=[{**row, "top": bool(top) and row["votes"] == top} for row in options],
        )
    return summary


def runoff_of(ballot: Ballot) -> Ballot | None:
    if ballot.kind != Ballot.Kind.ELECTION or not (ballot.result or {}).get("runoff"):
        return None
    return ballot.runoffs.order_by("pk").first()


def record_context(ballot: Ballot) -> dict:
    summary = result_summary(ballot, runoff_of(ballot))
    return {"ballot": ballot, "organization": ballot.organization, "summary": summary}


def record_pdf_bytes(ballot: Ballot) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_pdf(TEMPLATE, record_context(ballot))


def record_name(ballot: Ballot) -> str:
    return f"ballots/ballot-{ballot.pk}-result.pdf"


@shared_task
def ballot_record_render(ballot_id: int) -> bool:
    """Make the ballot's result PDF; return whether one was made.

    Claimed by a conditional update that writes the file's name while `record_pdf` is still empty, so
    a repeated or concurrent run makes nothing; a failed render empties it again."""
    ballot = Ballot.objects.filter(pk=ballot_id, status__in=RECORDED, record_pdf="").first()
    if ballot is None:
        return False
    claim = record_name(ballot)
    if not Ballot.objects.filter(pk=ballot_id, record_pdf="").update(record_pdf=claim):
        return False
    try:
        ballot = Ballot.objects.select_related("organization").get(pk=ballot_id)
        storage = ballot.record_pdf.storage
        name = storage.save(claim, ContentFile(record_pdf_bytes(ballot)))
        if name != claim:
            Ballot.objects.filter(pk=ballot_id, record_pdf=claim).update(record_pdf=name)
    except Exception:
        Ballot.objects.filter(pk=ballot_id, record_pdf=claim).update(record_pdf="")
        raise
    return True


def ballot_record_enqueue(ballot_id: int) -> None:
    """Ask Celery for the PDF once the transaction commits. A broker failure is logged, never raised:
    the periodic task and the download make a missing record later."""

    def send():
        try:
            ballot_record_render.delay(ballot_id)
        except Exception:
            logger.exception("Could not enqueue the result record of ballot %s", ballot_id)

    transaction.on_commit(send)


def records_missing() -> list[int]:
    """Closed or published ballots that have no PDF record yet."""
    return list(Ballot.objects.filter(status__in=RECORDED, record_pdf="").values_list("pk", flat=True))
