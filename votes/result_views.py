"""A ballot's results, its PDF record and its bulletin board (page and JSON download).

Who sees what (outsiders get a 404): the results once the ballot is closed to those who read its
organization's roster, and once it is published also to the organization's members; the board and the
PDF only once the ballot is published, to both.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from .board import board_data, board_papers, paper_text
from .models import Ballot
from .records import ballot_record_render, record_pdf_bytes, result_summary, runoff_of
from .tally import option_key

Status = Ballot.Status


def _ballot_or_404(request, pk, *, published_only: bool = False) -> Ballot:
    ballot = Ballot.objects.select_related("organization").filter(pk=pk).first()
    if ballot is None:
        raise Http404
    scope = request.scope
    if ballot.status == Status.PUBLISHED:
        member = scope.member
        allowed = (member is not None and member.organization_id == ballot.organization_id) or (
            scope.can_read_roster(ballot.organization)
        )
    elif ballot.status == Status.CLOSED and not published_only:
        allowed = scope.can_read_roster(ballot.organization)
    else:
        allowed = False
    if not allowed:
        raise Http404
    return ballot


@login_required
def results(request, pk):
    ballot = _ballot_or_404(request, pk)
    summary = result_summary(ballot, runoff_of(ballot))
    context = {"ballot": ballot, "summary": summary, "published": ballot.status == Status.PUBLISHED}
    return render(request, "votes/results.html", context)


@login_required
def results_pdf(request, pk):
    ballot = _ballot_or_404(request, pk, published_only=True)
    if not ballot.record_pdf:
        ballot_record_render(ballot.pk)  # idempotent: made once, here or by the task
        ballot.refresh_from_db(fields=["record_pdf"])
    filename = f"ballot-{ballot.pk}-result.pdf"
    record = ballot.record_pdf
    if record and record.storage.exists(record.name):
        response = FileResponse(
            record.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
        )
    else:  # the task is making it right now: serve a copy made here
        response = HttpResponse(record_pdf_bytes(ballot), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def board(request, pk):
    ballot = _ballot_or_404(request, pk, published_only=True)
    options = ballot.options.order_by("position", "pk")
    labels = {option_key(o.pk): o.label for o in options}
    papers = board_papers(ballot)
    wanted = request.GET.get("receipt", "").strip().upper().replace(" ", "").replace("-", "")
    for paper in papers:
        paper["text"] = paper_text(ballot.kind, paper["content"], labels)
        paper["found"] = bool(wanted) and paper["receipt"] == wanted
    found = next((paper for paper in papers if paper["found"]), None)
    context = {
        "ballot": ballot,
        "papers": papers,
        "summary": result_summary(ballot),
        "wanted": request.GET.get("receipt", "").strip(),
        "found": found,
    }
    return render(request, "votes/board.html", context)


@login_required
def board_json(request, pk):
    ballot = _ballot_or_404(request, pk, published_only=True)
    data = board_data(ballot)
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-board.json"'
    response["Cache-Control"] = "private, no-store"
    return response
