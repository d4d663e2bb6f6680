"""Real-name verification pages: the member's status and claim, the officers' review, the photos."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from branches.models import Organization
from ebranch.lib.forms import add_service_errors

from . import verification as svc
from .models import Member
from .validators import id_birth_date, id_sex
from .verification_forms import (
    ApproveCreateForm,
    ApproveLinkForm,
    ClaimForm,
    ConflictForm,
    ReasonForm,
)

Status = svc.Status
INBOX_PAGE_SIZE = 25
CANDIDATE_LIMIT = 20


def _submitted_message(request, claim) -> None:
    if claim.status == Status.MATCHED:
        messages.success(
            request, _("Your identity is verified: your account is now linked to your member record.")
        )
    elif claim.status == Status.CONFLICT:
        messages.warning(
            request, _("This ID number is already linked to another account. County staff will look into it.")
        )
    else:
        messages.success(request, _("Your claim has been sent to the branch for review."))


# The member's side


@login_required
def status(request):
    # the status card (templatetags/verification.py) reads the member record or the latest claim
    return render(
        request, "members/verification/status.html", {"retention_days": settings.ID_PHOTO_RETENTION_DAYS}
    )


@sensitive_post_parameters("id_number")
@login_required
def claim(request):
    if request.scope.member is not None:
        messages.info(request, _("Your account is already linked to your member record."))
        return redirect("verification:status")
    latest = svc.claim_latest(request.user)
    if latest is not None and latest.user_id == request.user.pk and latest.is_open:
        return redirect("verification:status")
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = svc.claim_submit(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _submitted_message(request, submitted)
            return redirect("verification:status")
    return render(request, "members/verification/claim_form.html", _form_context(form))


def _form_context(form, *, claim=None) -> dict:
    return {
        "form": form, "claim": claim, "resubmit": claim is not None,
        "retention_days": settings.ID_PHOTO_RETENTION_DAYS,
    }


def _own_claim(request, *statuses):
    latest = svc.claim_latest(request.user)
    if latest is None or latest.user_id != request.user.pk or latest.status not in statuses:
        return None
    return latest


@sensitive_post_parameters("id_number")
@login_required
def resubmit(request):
    claim = _own_claim(request, Status.MORE_INFO)
    if claim is None:
        return redirect("verification:status")
    form = ClaimForm(request.POST or None, request.FILES or None, claim=claim)
    if request.method == "POST" and form.is_valid():
        try:
            claim = svc.claim_resubmit(claim=claim, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _submitted_message(request, claim)
            return redirect("verification:status")
    return render(request, "members/verification/claim_form.html", _form_context(form, claim=claim))


@require_POST
@login_required
def withdraw(request):
    claim = _own_claim(request, *svc.VerificationClaim.OPEN)
    if claim is not None:
        svc.claim_withdraw(claim=claim, actor=request.user)
        messages.info(request, _("You withdrew your claim."))
    return redirect("verification:status")


# The officers' side


def _reviewer(request):
    scope = request.scope
    if not (scope.is_superuser or scope.managed_paths):
        raise Http404
    return scope


@login_required
def inbox(request):
    scope = _reviewer(request)
    page = Paginator(svc.claims_to_review(scope), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/verification/inbox.html", {"page": page})


def _candidates(scope, claim, query: str):
    """Unclaimed roster entries the officer manages that may be the claimant: the same ID number or
    the same name, or a name search."""
    match = Q(id_number_digest=claim.id_number_digest)
    match |= Q(name__icontains=query) if query else Q(name=svc.name_key(claim.name)) | Q(name=claim.name)
    return (
        scope.managed_members()
        .filter(match, user__isnull=True)
        .select_related("organization")
        .order_by("name", "pk")
    )


def _branches(scope):
    return scope.managed_organizations().filter(kind=Organization.Kind.BRANCH).order_by("path")


@sensitive_post_parameters()
@login_required
def detail(request, pk):
    scope = _reviewer(request)
    claim = (
        svc.claims_visible(scope)
        .select_related(
            "user", "organization", "work_place", "home_township", "member", "decided_by", "displaced_user",
            "conflicting_member__organization", "conflicting_member__user",
        )
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    own = claim.user_id == request.user.pk
    can_review = claim.status in svc.REVIEW_STATUSES and not own
    can_resolve = claim.status == Status.CONFLICT and not own and scope.can_oversee(claim.organization)
    query = request.GET.get("q", "").strip()[:50]
    candidates = _candidates(scope, claim, query) if can_review else None
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {}
    if can_review:
        forms = {
            "link": ApproveLinkForm(request.POST if action == "link" else None, candidates=candidates),
            "create": ApproveCreateForm(
                request.POST if action == "create" else None, claim=claim, organizations=_branches(scope)
            ),
            "reject": ReasonForm(request.POST if action == "reject" else None, prefix="reject"),
            "more_info": ReasonForm(request.POST if action == "more_info" else None, prefix="more"),
        }
    elif can_resolve:
        forms = {"resolve": ConflictForm(request.POST if action == "resolve" else None)}
    if action in forms:
        form = forms[action]
        if form.is_valid():
            try:
                _decide(request, claim, action, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("verification:inbox")
    id_number = claim.id_number
    context = {
        "claim": claim, "forms": forms, "query": query, "action": action,
        "candidates": list(candidates[:CANDIDATE_LIMIT]) if candidates is not None else [],
        "can_review": can_review, "can_resolve": can_resolve,
        "birth_date": id_birth_date(id_number), "sex": Member.Sex(id_sex(id_number)).label,
        "retention_days": settings.ID_PHOTO_RETENTION_DAYS,
    }
    return render(request, "members/verification/detail.html", context)


def _decide(request, claim, action: str, data: dict) -> None:
    actor = request.user
    if action == "link":
        svc.claim_approve(claim=claim, actor=actor, member=data["member"])
        messages.success(request, _("Claim approved: the account is linked to the roster entry."))
    elif action == "create":
        svc.claim_approve(claim=claim, actor=actor, **data)
        messages.success(request, _("Claim approved: a member record was created and linked."))
    elif action == "reject":
        svc.claim_reject(claim=claim, actor=actor, reason=data["reason"])
        messages.success(request, _("Claim rejected. The member sees your reason."))
    elif action == "more_info":
        svc.claim_request_more(claim=claim, actor=actor, reason=data["reason"])
        messages.success(request, _("The member is asked for more information."))
    elif action == "resolve":
        svc.conflict_resolve(claim=claim, actor=actor, decision=data["decision"], reason=data["reason"])
        messages.success(request, _("The conflict is resolved."))


# The photos: never under a URL of their own, served here to those who may see them.


@login_required
def photo(request, pk, side):
    field = {"front": "front_photo", "back": "back_photo"}.get(side)
    claim = svc.VerificationClaim.objects.select_related("organization").filter(pk=pk).first()
    if field is None or claim is None:
        raise Http404
    allowed = claim.user_id == request.user.pk or (
        claim.organization is not None and request.scope.can_manage(claim.organization)
    )
    file = getattr(claim, field)
    if not allowed or not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg", filename=f"{side}.jpg")
    response["Cache-Control"] = "private, no-store"
    return response
