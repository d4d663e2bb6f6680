"""Membership transfer pages for members and for the officers acting on one transfer: the member's own
transfers and history, the request form, a transfer with its dated steps and actions, a letter's PDF."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.services import branch_candidates
from ebranch.lib.forms import add_service_errors

from . import transfers as svc
from .decorators import verified_member_required
from .letters import letter_pdf as letter_pdf_bytes
from .letters import letter_pdf_render
from .models import IntroductionLetter, Member, Transfer, User
from .transfer_dues import dues_standing
from .transfer_forms import ConfirmForm, LetterForm, ReasonForm, ReceiptForm, TransferRequestForm

Status = Transfer.Status
LetterStatus = IntroductionLetter.Status


# The member's own transfers


@login_required
def mine(request):
    """A member who transferred out of the portal keeps seeing their history: `Member.records`."""
    member = request.scope.member or (
        Member.records.select_related("organization").filter(user=request.user).first()
    )
    if member is None:
        messages.info(request, _("Verify your identity first: link your account to your member record."))
        return redirect("verification:status")
    letters = IntroductionLetter.objects.select_related("organization").order_by("issued_at", "pk")
    transfers = list(
        Transfer.objects.filter(member=member)
        .select_related("from_organization", "to_organization", "work_place")
        .prefetch_related(Prefetch("letters", queryset=letters))
    )
    for transfer in transfers:
        transfer.member = member
    open_transfer = next((t for t in transfers if t.is_open), None)
    today = timezone.localdate()
    cards = list(member.activity_cards.select_related("host_organization"))
    for card in cards:
        card.is_active = card.ended_on is None and card.starts_on <= today <= card.ends_on
    left_to = next(
        (t.to_name for t in transfers if t.status == Status.COMPLETED and t.to_organization_id is None), ""
    )
    context = {
        "member": member,
        "open_transfer": open_transfer,
        "steps": _timeline(open_transfer, list(open_transfer.letters.all())) if open_transfer else [],
        "next_step": _next_step(open_transfer) if open_transfer else "",
        "past": [t for t in transfers if not t.is_open],
        "periods": list(member.membership_periods.select_related("organization")),
        "left_to": left_to,
        "cards": cards,
        "can_request": open_transfer is None and member.left_on is None,
    }
    return render(request, "members/transfers/mine.html", context)


# The request form: the member's own, or started by an officer of the member's branch


@verified_member_required
def request_create(request):
    return _request_page(request, request.scope.member)


@login_required
def start_for_member(request, member_pk):
    scope = request.scope
    member = scope.member_or_404(member_pk)
    if not scope.can_manage(member.organization):
        raise Http404
    return _request_page(request, member)


def _request_page(request, member: Member):
    under_way = svc.transfers_open_for(member)
    if under_way is not None:
        messages.info(request, _("A transfer for this member is already under way."))
        return redirect("transfers:detail", under_way.pk)
    suggestion = None
    suggested = False
    if request.method == "POST" and "suggest" in request.POST:
        form, suggestion = _suggest(request.POST, member)
        suggested = True
    elif request.method == "POST":
        form = TransferRequestForm(request.POST, member=member)
        if form.is_valid():
            try:
                transfer = svc.transfer_request(member=member, actor=request.user, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The transfer request is sent to %(org)s.") % {
                    "org": transfer.from_name
                })
                return redirect("transfers:detail", transfer.pk)
    else:
        form = TransferRequestForm(member=member)
    context = {
        "form": form,
        "member": member,
        "own": member.user_id == request.user.pk,
        "suggested": suggested,
        "suggestion": suggestion,
    }
    return render(request, "members/transfers/request_form.html", context)


def _suggest(data, member: Member):
    """Without JavaScript: the "Suggest a branch" button sends the form back with the branch that serves
    the new work city (or takes members from the home township) chosen, and says why."""
    bound = TransferRequestForm(data, member=member)
    bound.is_valid()
    work_place = bound.cleaned_data.get("work_place")
    home_township = member.home_township
    branch = (
        branch_candidates(work_place=work_place, home_township=home_township)
        .exclude(pk=member.organization_id)
        .first()
    )
    initial = {name: data.get(name, "") for name in bound.fields}
    if branch is not None:
        initial.update(target=TransferRequestForm.BRANCH, to_organization=branch.pk)
        if branch.serves:
            why = _("It serves members working in %(city)s.") % {"city": work_place}
        elif branch.takes:
            why = _("It takes members from %(township)s.") % {"township": home_township}
        else:
            why = _("It takes members from townships near %(township)s.") % {"township": home_township}
    elif work_place is not None:
        why = _("No branch in the portal serves %(city)s yet. Choose a branch yourself, or name an "
                "organization outside the portal.") % {"city": work_place}
    else:
        why = _("Choose the new work city first, then ask again; or choose a branch yourself.")
    return TransferRequestForm(initial=initial, member=member), {"branch": branch, "why": why}


# One transfer: its steps, letters, dues, and the actions the user may take


@login_required
def detail(request, pk):
    return _detail(request, request.scope.transfer_or_404(pk))


def _detail(request, transfer: Transfer, *, action: str = "", bound=None):
    scope = request.scope
    letters = list(transfer.letters.select_related("organization").order_by("issued_at", "pk"))
    standing = dues_standing(transfer.member)
    offered = _offered(request, transfer)
    forms = {
        name: bound if name == action else _form(name, None, ask_dues=standing is None) for name in offered
    }
    context = {
        "transfer": transfer,
        "member": transfer.member,
        "is_member": transfer.member.user_id == request.user.pk,
        "steps": _timeline(transfer, letters),
        "next_step": _next_step(transfer),
        "letters": letters[::-1],
        "standing": standing,
        "forms": forms,
        "action": action,
        "reads_only": transfer.is_open and not forms and scope.is_officer
        and transfer.member.user_id != request.user.pk,
    }
    return render(request, "members/transfers/detail.html", context)


def _offered(request, transfer: Transfer) -> set[str]:
    """The actions this user may take on the transfer now (the services check again)."""
    scope, status = request.scope, transfer.status
    offered = set()
    if transfer.member.user_id == request.user.pk and status == Status.REQUESTED:
        offered.add("withdraw")
    if scope.can_send(transfer):
        if status == Status.REQUESTED:
            offered |= {"approve", "reject"}
        if status == Status.EXPIRED:
            offered.add("reissue")
        if status in (Status.IN_TRANSIT, Status.EXPIRED):
            offered.add("cancel")
        if status == Status.IN_TRANSIT and transfer.to_organization_id is None:
            offered.add("receipt")
    if scope.can_receive(transfer) and status == Status.IN_TRANSIT:
        offered |= {"accept", "refuse"}
    return offered


def _form(action: str, data, *, ask_dues: bool):
    if action in ("approve", "reissue"):
        return LetterForm(data, prefix=action, ask_dues=ask_dues)
    if action in ("reject", "cancel", "refuse"):
        return ReasonForm(data, prefix=action)
    if action == "receipt":
        return ReceiptForm(data, prefix=action)
    return ConfirmForm(data, prefix=action)


def _act(request, pk, action: str):
    """POST an action: validate its form, call the service, and come back to the transfer. A form error
    shows the transfer again with the error; an action the user may not take changes nothing."""
    transfer = request.scope.transfer_or_404(pk)
    standing = dues_standing(transfer.member) if action in ("approve", "reissue") else None
    form = _form(action, request.POST, ask_dues=standing is None)
    offered = action in _offered(request, transfer)
    if form.is_valid():
        try:
            message = _run(action, transfer, request.user, form.cleaned_data)
        except ValidationError as error:
            if not offered:
                messages.error(request, " ".join(error.messages))
                return redirect("transfers:detail", transfer.pk)
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("transfers:detail", transfer.pk)
    elif not offered:
        messages.error(request, _("You cannot act on this transfer."))
        return redirect("transfers:detail", transfer.pk)
    return _detail(request, transfer, action=action, bound=form)


def _run(action: str, transfer: Transfer, actor, data: dict) -> str:
    if action == "withdraw":
        svc.transfer_withdraw(transfer=transfer, actor=actor)
        return _("You withdrew your transfer request.")
    if action in ("approve", "reissue"):
        issue = svc.transfer_approve if action == "approve" else svc.transfer_reissue
        letter = issue(
            transfer=transfer, actor=actor, validity_days=data["validity_days"],
            dues_paid_up_to=data.get("dues_paid_up_to"),
        )
        return _("Introduction letter %(serial)s is issued, valid until %(date)s.") % {
            "serial": letter.serial, "date": letter.valid_until.isoformat()
        }
    if action == "reject":
        svc.transfer_reject(transfer=transfer, actor=actor, reason=data["reason"])
        return _("The request is rejected. The member sees your reason.")
    if action == "cancel":
        svc.transfer_cancel(transfer=transfer, actor=actor, reason=data["reason"])
        return _("The transfer is cancelled. The member sees your reason.")
    if action == "receipt":
        svc.transfer_receipt_record(transfer=transfer, actor=actor, returned_on=data["returned_on"])
        return _("The receipt slip is recorded: the transfer is complete.")
    if action == "accept":
        transfer = svc.transfer_accept(transfer=transfer, actor=actor)
        return _("Transfer accepted: %(name)s now belongs to %(org)s.") % {
            "name": transfer.member.name, "org": transfer.to_name
        }
    if action == "refuse":
        svc.transfer_refuse(transfer=transfer, actor=actor, reason=data["reason"])
        return _("The transfer is rejected. The member and the sending branch see your reason.")
    raise Http404


def _action_view(action: str):
    @require_POST
    @login_required
    def view(request, pk):
        return _act(request, pk, action)

    view.__name__ = action
    return view


withdraw = _action_view("withdraw")
approve = _action_view("approve")
reject = _action_view("reject")
reissue = _action_view("reissue")
cancel = _action_view("cancel")
accept = _action_view("accept")
refuse = _action_view("refuse")
receipt = _action_view("receipt")


# The steps, dated


def _step(on, title: str, *, by=None, note: str = "", reason: str = "", letter=None, tone: str = "") -> dict:
    """One dated step; `reason` is text someone typed (shown quoted), `note` is the portal's."""
    return {
        "on": on, "has_time": isinstance(on, datetime.datetime), "title": title, "by": by, "note": note,
        "reason": reason, "letter": letter, "tone": tone,
    }


def _timeline(transfer: Transfer, letters: list[IntroductionLetter]) -> list[dict]:
    """Every step of the transfer in the order it happened; `letters` oldest first."""
    ids = {transfer.requested_by_id, transfer.approved_by_id, transfer.closed_by_id}
    ids |= {letter.issued_by_id for letter in letters}
    users = User.objects.in_bulk([pk for pk in ids if pk])
    by = users.get
    steps = []
    if transfer.from_outside:
        steps.append(_step(
            transfer.completed_on,
            _("Introduction letter %(number)s from %(org)s received")
            % {"number": transfer.outside_letter_number, "org": transfer.from_outside},
            by=by(transfer.requested_by_id), reason=transfer.reason,
        ))
        steps.append(_step(
            transfer.completed_on, _("Membership with %(org)s") % {"org": transfer.to_name}, tone="done"
        ))
        return steps
    steps.append(_step(
        transfer.requested_at, _("Transfer requested"), by=by(transfer.requested_by_id),
        reason=transfer.reason,
    ))
    if transfer.approved_at:
        steps.append(_step(
            transfer.approved_at, _("Approved by %(org)s") % {"org": transfer.from_name},
            by=by(transfer.approved_by_id),
        ))
    for n, letter in enumerate(letters):
        title = _("Introduction letter %(serial)s issued") if n == 0 else _(
            "Letter reissued: new introduction letter %(serial)s"
        )
        steps.append(_step(
            letter.issued_at, title % {"serial": letter.serial}, by=by(letter.issued_by_id), letter=letter,
            note=_("Valid until %(date)s.") % {"date": letter.valid_until.isoformat()},
        ))
        if letter.status == LetterStatus.EXPIRED:
            steps.append(_step(
                letter.ended_at, _("Introduction letter %(serial)s expired") % {"serial": letter.serial},
                note=_("It was valid until %(date)s and cannot be extended: the sending branch issues a new "
                       "letter.") % {"date": letter.valid_until.isoformat()},
                tone="warn",
            ))
    closed_by = by(transfer.closed_by_id)
    reason = transfer.closing_reason
    if transfer.status == Status.WITHDRAWN:
        steps.append(_step(transfer.closed_at, _("Withdrawn by the member"), by=closed_by))
    elif transfer.status == Status.REJECTED:
        steps.append(_step(
            transfer.closed_at, _("Rejected by %(org)s") % {"org": transfer.from_name}, by=closed_by,
            reason=reason, tone="warn",
        ))
    elif transfer.status == Status.REFUSED:
        steps.append(_step(
            transfer.closed_at, _("Rejected by %(org)s") % {"org": transfer.to_name}, by=closed_by,
            reason=reason, tone="warn",
        ))
    elif transfer.status == Status.CANCELLED:
        steps.append(_step(
            transfer.closed_at, _("Cancelled by %(org)s") % {"org": transfer.from_name}, by=closed_by,
            reason=reason, tone="warn",
        ))
    elif transfer.status == Status.COMPLETED:
        if transfer.receipt_returned_on:
            steps.append(_step(
                transfer.receipt_returned_on,
                _("Receipt slip returned from %(org)s") % {"org": transfer.to_name}, by=closed_by,
            ))
        else:
            steps.append(_step(
                transfer.closed_at, _("Accepted by %(org)s") % {"org": transfer.to_name}, by=closed_by,
            ))
        steps.append(_step(
            transfer.completed_on,
            _("Transfer complete: the membership is now with %(org)s") % {"org": transfer.to_name},
            tone="done",
        ))
    return steps


def _next_step(transfer: Transfer) -> str:
    if transfer.status == Status.REQUESTED:
        return _("Next: %(org)s approves or rejects the request.") % {"org": transfer.from_name}
    if transfer.status == Status.IN_TRANSIT and transfer.to_organization_id:
        return _("Next: %(org)s accepts or rejects the transfer.") % {"org": transfer.to_name}
    if transfer.status == Status.IN_TRANSIT:
        return _(
            "Next: the member hands the letter to %(to)s, and %(from)s records the receipt slip when it "
            "comes back."
        ) % {"to": transfer.to_name, "from": transfer.from_name}
    if transfer.status == Status.EXPIRED:
        return _("Next: %(org)s issues a new letter, or cancels the transfer.") % {"org": transfer.from_name}
    return ""


# A letter's PDF: for anyone who may see its transfer


@login_required
def letter_pdf(request, pk):
    letter = (
        IntroductionLetter.objects.select_related("organization")
        .filter(pk=pk, transfer__in=request.scope.transfers())
        .first()
    )
    if letter is None:
        raise Http404
    if not letter.pdf:
        letter_pdf_render(letter.pk)  # idempotent: made once, here or by the task
        letter.refresh_from_db(fields=["pdf"])
    filename = f"{letter.serial}.pdf"
    if letter.pdf:
        try:
            response = FileResponse(
                letter.pdf.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
            )
        except FileNotFoundError:
            raise Http404 from None
    else:  # the task is making it right now: serve a copy made here
        response = HttpResponse(letter_pdf_bytes(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

