"""Ballot pages: the list, the officers' form and actions, a ballot with the member's electorate check,
and casting a paper after re-authenticating.

The receipt code is shown once, in the response to the cast itself: it never goes into a URL, the
session, a message, a log or a notification.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from branches.models import Organization
from ebranch.lib.forms import add_service_errors

from . import electorate, reauth, selectors, services
from .forms import BallotForm, PaperForm, ReauthForm
from .models import Ballot

Status = Ballot.Status
Kind = Ballot.Kind
PAGE_SIZE = 20


# The list


@login_required
def ballot_list(request):
    scope = request.scope
    page = Paginator(selectors.ballots_for_list(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    member = scope.member
    for ballot in page.object_list:
        ballot.mine = member is not None and ballot.organization_id == member.organization_id
    creatable = []
    if scope.managed_paths or scope.is_superuser:
        kinds = (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH)
        creatable = list(scope.managed_organizations().filter(kind__in=kinds).order_by("path"))
    return render(request, "votes/list.html", {
        "page": page,
        "member": member,
        "creatable": creatable,
    })


# The officers' form


@login_required
def ballot_create(request, org_pk):
    organization = request.scope.organization_or_404(org_pk, need="manage")
    form = BallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.ballot_create(
                actor=request.user, organization=organization, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The ballot is saved as a draft. Open it when it is ready."))
            return redirect("votes:detail", ballot.pk)
    return render(request, "votes/form.html", {"form": form, "organization": organization, "ballot": None})


@login_required
def edit(request, pk):
    ballot = selectors.ballot_to_manage_or_404(request.scope, pk)
    if ballot.status != Status.DRAFT:
        messages.info(request, _("Only a draft can be changed."))
        return redirect("votes:detail", ballot.pk)
    form = BallotForm(request.POST or None, ballot=ballot)
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_update(ballot=ballot, actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("votes:detail", ballot.pk)
    return render(
        request, "votes/form.html", {"form": form, "organization": ballot.organization, "ballot": ballot}
    )


# Actions: service → message → back to the ballot


def _act(request, pk, action):
    ballot = selectors.ballot_to_manage_or_404(request.scope, pk)
    try:
        message = action(ballot)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("votes:detail", ballot.pk)


@require_POST
@login_required
def open_(request, pk):
    def run(ballot):
        ballot = services.ballot_open(ballot=ballot, actor=request.user)
        return _("Voting is open: %(n)s members are on the electorate.") % {"n": ballot.electorate_size}

    return _act(request, pk, run)


@require_POST
@login_required
def close(request, pk):
    def run(ballot):
        ballot = services.ballot_close(ballot=ballot, actor=request.user)
        if ballot.kind == Kind.ELECTION and ballot.result.get("runoff"):
            return _("Voting is closed and counted. The last seat is tied: a run-off is drafted.")
        return _("Voting is closed and counted. Publish the results when the branch is ready.")

    return _act(request, pk, run)


@require_POST
@login_required
def publish(request, pk):
    def run(ballot):
        services.ballot_publish(ballot=ballot, actor=request.user)
        return _("The results and the bulletin board are published to the members.")

    return _act(request, pk, run)


# One ballot


def _electorate_check(request, ballot: Ballot) -> dict:
    """The member's own place on the electorate: before opening, whether they will be on it (and if
    not, why); after, whether they are on it and whether they voted."""
    member = request.scope.member
    org = ballot.organization.display_name
    if member is None:
        return {"elector": False, "voted": False, "note": ""}
    elector = electorate.is_elector(ballot, member)
    voted = elector and ballot.status != Status.DRAFT and services.has_voted(ballot, member)
    if elector:
        if ballot.status == Status.DRAFT:
            note = _("You will be on the electorate.")
        elif voted:
            note = _("You voted.")
        else:
            note = _("You are on the electorate.")
        return {"elector": True, "voted": voted, "note": note}
    if member.organization_id != ballot.organization_id:
        guest = selectors.guest_hosts(member).filter(host_organization_id=ballot.organization_id).exists()
        if guest:
            why = _("You attend %(org)s on an activity card: guests do not vote there, and your membership "
                    "stays with %(home)s.") % {"org": org, "home": member.organization.display_name}
        else:
            why = _("You are not a member of %(org)s.") % {"org": org}
    elif member.status == member.Status.PROBATIONARY:
        why = _("Probationary members do not vote.")
    elif ballot.status != Status.DRAFT:
        why = _("The electorate was fixed when voting opened, and you are not on it.")
    else:
        why = ""
    lead = (
        _("You will not vote: only full members of %(org)s vote.")
        if ballot.status == Status.DRAFT else _("You do not vote: only full members of %(org)s vote.")
    ) % {"org": org}
    return {"elector": False, "voted": False, "note": lead, "why": why}


@login_required
def detail(request, pk):
    scope = request.scope
    ballot = selectors.ballot_or_404(scope, pk)
    check = _electorate_check(request, ballot)
    manages = scope.can_manage(ballot.organization)
    reads_roster = scope.can_read_roster(ballot.organization)
    closed = ballot.status in (Status.CLOSED, Status.PUBLISHED)
    published = ballot.status == Status.PUBLISHED
    is_member = scope.member is not None and scope.member.organization_id == ballot.organization_id
    now = timezone.now()
    return render(request, "votes/detail.html", {
        "ballot": ballot,
        "options": list(ballot.options.all()) if ballot.kind != Kind.RESOLUTION else [],
        "turnout": selectors.turnout(ballot),
        "check": check,
        "can_vote": ballot.is_accepting and check["elector"] and not check["voted"],
        "can_edit": manages and ballot.status == Status.DRAFT,
        "can_close": manages and ballot.status == Status.OPEN and now >= ballot.closes_at,
        "can_publish": manages and ballot.status == Status.CLOSED,
        # as votes/result_views.py allows: roster-readers once closed, the members once published
        "show_results": (reads_roster and closed) or (is_member and published),
        "show_board": published and (reads_roster or is_member),
        "not_yet": ballot.status == Status.OPEN and now < ballot.opens_at,
    })


# Casting


def _refusal(ballot: Ballot, member) -> str:
    """Why the member cannot cast now, or "" (the service checks again, under the lock)."""
    if not ballot.is_accepting:
        return _("This ballot is not open for voting.")
    if not electorate.is_elector(ballot, member):
        return _("You are not on this ballot's electorate.")
    if services.has_voted(ballot, member):
        return _("You have already voted in this ballot.")
    return ""


@sensitive_post_parameters()
@never_cache
@login_required
def cast(request, pk):
    ballot = selectors.ballot_or_404(request.scope, pk)
    member = request.scope.member
    options = list(ballot.options.all())
    with_code = reauth.totp_authenticator(request.user) is not None
    if request.method != "POST":
        refusal = _refusal(ballot, member)
        if refusal:
            messages.info(request, refusal)
            return redirect("votes:detail", ballot.pk)
        paper = PaperForm(ballot=ballot, options=options)
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code))

    paper = PaperForm(request.POST, ballot=ballot, options=options)
    confirm = ReauthForm(request.POST, with_code=with_code)
    refusal = _refusal(ballot, member)
    if refusal:
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code), error=refusal)
    if not paper.is_valid() or not confirm.is_valid():
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code), confirm_errors=confirm)
    if reauth.is_locked_out(request.user):
        error = _("Too many wrong attempts. Try again in 15 minutes.")
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code), error=error)
    if not reauth.reauthenticate(request.user, **confirm.cleaned_data):
        error = (
            _("The password or the code is not right.") if with_code else _("The password is not right.")
        )
        if reauth.is_locked_out(request.user):
            error = _("Too many wrong attempts. Try again in 15 minutes.")
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code), error=error)
    try:
        receipt = services.ballot_cast(ballot=ballot, member=member, data=paper.paper_data())
    except ValidationError as error:
        return _paper(request, ballot, paper, ReauthForm(with_code=with_code), error=" ".join(error.messages))
    response = render(request, "votes/receipt.html", {"ballot": ballot, "receipt": receipt})
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _paper(request, ballot: Ballot, paper: PaperForm, confirm: ReauthForm, *, error: str = "",
           confirm_errors: ReauthForm | None = None):
    """The paper with the voter's choices kept; the password field always comes back empty."""
    errors = [error] if error else []
    if confirm_errors is not None and confirm_errors.is_bound:
        errors += list(confirm_errors.non_field_errors())
    return render(request, "votes/cast.html", {
        "ballot": ballot,
        "paper": paper,
        "confirm": confirm,
        "errors": errors,
    })
