"""The officers' transfer pages: the inbox, the county overview, a member's transfer history, a member
arriving from outside the portal, and activity cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ebranch.lib.forms import add_service_errors

from . import activity_cards, transfers
from . import transfer_selectors as selectors
from .models import ActivityCard, Member
from .transfer_office_forms import ActivityCardForm, IncomingForm

OVERVIEW_FIRST_YEAR = 2000


def _officer(request):
    scope = request.scope
    if not (scope.is_superuser or scope.roster_paths):
        raise Http404
    return scope


@login_required
def inbox(request):
    scope = _officer(request)
    today = timezone.localdate()
    context = {
        "incoming": selectors.transfer_rows(selectors.inbox_incoming(scope, today), today),
        "outgoing": selectors.transfer_rows(selectors.inbox_outgoing(scope, today), today),
        "guests": list(selectors.cards_hosted(scope, today)),
        "cards": list(selectors.cards_issued(scope, today)),
        "incoming_branches": list(selectors.incoming_branches(scope)),
        "receiver_days": transfers.RECEIVER_DAYS,
        "request_days": selectors.REQUEST_DAYS,
        "is_overseer": scope.is_overseer,
    }
    return render(request, "members/transfers/office_inbox.html", context)


def _year(request, today) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if OVERVIEW_FIRST_YEAR <= year <= today.year else today.year


@login_required
def overview(request):
    scope = request.scope
    if not scope.is_overseer:
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    paths = selectors.overseen_paths(scope)
    context = {
        "year": year,
        "years": range(today.year, max(OVERVIEW_FIRST_YEAR, today.year - 5) - 1, -1),
        "is_current_year": year == today.year,
        "totals": selectors.overview_totals(paths, year, today),
        **_active_and_quiet(selectors.overview_branches(paths, year, today)),
        "flags": list(selectors.university_flags(paths, today)),
        "university_years": selectors.UNIVERSITY_YEARS,
    }
    return render(request, "members/transfers/office_overview.html", context)


def _active_and_quiet(branches) -> dict:
    """Branches with any transfer to show, and how many had none (a county has dozens of branches)."""
    branches = list(branches)
    counts = ("completed_in", "completed_out", "pending", "pending_in", "overdue")
    active = [b for b in branches if any(getattr(b, name) for name in counts)]
    return {"branches": active, "quiet_branches": len(branches) - len(active)}


@login_required
def member_history(request, member_pk):
    scope = request.scope
    member = selectors.member_history_member(scope, member_pk)
    if member is None:
        raise Http404
    today = timezone.localdate()
    own = member.user_id == request.user.pk
    on_roster = member.left_on is None
    can_manage = on_roster and not own and scope.can_manage(member.organization)
    transfer_list = selectors.transfer_rows(selectors.member_transfers(scope, member), today)
    cards = list(selectors.member_cards(member))
    for card in cards:
        card.can_end = card.ended_on is None and not own and scope.can_manage(card.organization)
    context = {
        "member": member,
        "periods": list(selectors.member_periods(member)),
        # the organization outside the portal a member left for: the last completed transfer's
        "left_to": next((t.to_name for t in transfer_list if t.status == t.Status.COMPLETED), ""),
        "transfers": transfer_list,
        "has_open_transfer": any(t.is_open for t in transfer_list),
        "cards": cards,
        "has_active_card": any(card.ended_on is None for card in cards),
        "university_flag": on_roster
        and selectors.university_overstays(Member.objects.filter(pk=member.pk), today).exists(),
        "university_years": selectors.UNIVERSITY_YEARS,
        "can_manage": can_manage,
    }
    return render(request, "members/transfers/office_member_history.html", context)


@sensitive_post_parameters("id_number", "phone")
@login_required
def register_incoming(request, org_pk):
    organization = request.scope.organization_or_404(org_pk, need="manage")
    if organization.kind not in transfers.RECEIVING_KINDS:
        raise Http404
    form = IncomingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfers.transfer_register_incoming(
                actor=request.user, organization=organization, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now on the roster of %(org)s.")
                % {"name": transfer.member.name, "org": organization.name},
            )
            return redirect("transfers:member_history", transfer.member_id)
    return render(
        request, "members/transfers/office_incoming_form.html", {"form": form, "organization": organization}
    )


def _managed_member(request, member_pk):
    member = request.scope.member_or_404(member_pk)
    if member.user_id == request.user.pk or not request.scope.can_manage(member.organization):
        raise Http404
    return member


@login_required
def card_issue(request, member_pk):
    member = _managed_member(request, member_pk)
    form = ActivityCardForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            card = activity_cards.activity_card_issue(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Activity card issued: %(name)s may join %(host)s's meetings until %(date)s.")
                % {
                    "name": member.name, "host": card.host_organization.name, "date": card.ends_on.isoformat()
                },
            )
            return redirect("transfers:member_history", member.pk)
    return render(request, "members/transfers/office_card_form.html", {"form": form, "member": member})


@require_POST
@login_required
def card_end(request, pk):
    card = ActivityCard.objects.select_related("organization", "member").filter(pk=pk).first()
    own = card is not None and card.member.user_id == request.user.pk
    if card is None or own or not request.scope.can_manage(card.organization):
        raise Http404
    try:
        activity_cards.activity_card_end(card=card, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The activity card has ended."))
    return redirect("transfers:member_history", card.member_id)
