"""Real-name verification (实名认证): a signed-up user claims a roster entry, and its decision.

A claim whose name and ID number match an unclaimed roster entry links the account at once. An ID
number that another account holds (or has an open claim on) is a conflict for county staff. Anything
else goes, with photos of both sides of the ID card, to a branch whose managers approve, reject or
ask for more. Roster entries are found by the keyed hash of the ID number, never by decrypting.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, Township, WorkPlace
from branches.services import branch_suggest

from .models import Member, Position, User, VerificationClaim, VerifiedVia
from .services import member_create
from .validators import validate_id_number

Status = VerificationClaim.Status
#: statuses a branch's managers decide; conflicts are for county staff
REVIEW_STATUSES = (Status.PENDING, Status.MORE_INFO)


def name_key(name: str) -> str:
    """Names compare without any spaces (full-width ones included)."""
    return "".join((name or "").split())


def review_organization(
    *, work_place: WorkPlace | None, home_township: Township | None
) -> Organization | None:
    """The branch the suggestion service picks; failing that, the general branch above all branches
    (the nearest organization with managers for members who fit no branch), else the tree's root."""
    branch = branch_suggest(work_place=work_place, home_township=home_township)
    if branch is not None:
        return branch
    general = Organization.objects.filter(kind=Organization.Kind.GENERAL_BRANCH).order_by("path").first()
    return general or Organization.objects.filter(depth=1).order_by("path").first()


def _link(*, member: Member, user: User, via: str, now: datetime.datetime) -> None:
    member.user = user
    member.verified_via = via
    member.verified_at = now
    member.full_clean()
    member.save(update_fields=["user", "verified_via", "verified_at", "updated_at"])
    if not user.display_name:
        user.display_name = member.name
        user.save(update_fields=["display_name"])


PHOTO_FIELDS = ("front_photo", "back_photo")


def _route(claim: VerificationClaim, *, photos: dict, now: datetime.datetime) -> None:
    """Decide where a (re)submitted claim goes, and save it. `photos` holds clean new files by field
    (None keeps the claim's own). Photos are only required, and kept, when someone must look at them."""
    if Member.objects.filter(user=claim.user_id).exists():
        raise ValidationError(_("Your account is already linked to a member record."), code="linked")
    member = Member.objects.select_for_update().filter(id_number_digest=claim.id_number_digest).first()
    rival = (
        VerificationClaim.objects.filter(
            id_number_digest=claim.id_number_digest, status__in=VerificationClaim.OPEN
        )
        .exclude(user=claim.user_id)
        .exclude(pk=claim.pk)
        .select_related("organization")
        .first()
    )
    claimed = member is not None and member.user_id is not None
    if not claimed and rival is None and member is not None and name_key(member.name) == name_key(claim.name):
        _link(member=member, user=claim.user, via=VerifiedVia.ROSTER, now=now)
        claim.status, claim.member, claim.organization = Status.MATCHED, member, member.organization
        claim.decided_at, claim.decided_by = now, None
        claim.full_clean()
        claim.save()
        return

    missing = {
        field: message for field, message in (
            ("front_photo", _("Please add a photo of the front of your ID card.")),
            ("back_photo", _("Please add a photo of the back of your ID card.")),
        ) if not (photos.get(field) or getattr(claim, field))
    }
    if missing:
        raise ValidationError(missing)
    if claimed or rival is not None:
        claim.status = Status.CONFLICT
        claim.conflicting_member = member if claimed else None
        claim.organization = member.organization if claimed else rival.organization
    else:
        claim.status = Status.PENDING
        # An unclaimed entry under another name goes to its own branch, the only one that may link it.
        if member is not None:
            claim.organization = member.organization
        elif claim.organization is None:
            claim.organization = review_organization(
                work_place=claim.work_place, home_township=claim.home_township
            )
    claim.decided_at, claim.decided_by = None, None
    claim.full_clean()
    for field in PHOTO_FIELDS:
        photo, old = photos.get(field), getattr(claim, field)
        if photo is None:
            continue
        if old:
            transaction.on_commit(lambda storage=old.storage, name=old.name: storage.delete(name))
        old.save("photo.jpg", photo, save=False)
    claim.save()


@transaction.atomic
def claim_submit(
    *, actor: User, name: str, id_number: str, work_place: WorkPlace | None = None,
    home_township: Township | None = None, front_photo=None, back_photo=None,
) -> VerificationClaim:
    """`actor` claims the roster entry with this ID number. Photos are clean files (`photo_clean`)."""
    if VerificationClaim.objects.filter(user=actor, status__in=VerificationClaim.OPEN).exists():
        raise ValidationError(_("You already have a claim waiting for a decision."), code="open_claim")
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    claim = VerificationClaim(
        user=actor, name=name.strip(), work_place=work_place, home_township=home_township,
        submitted_at=timezone.now(),
    )
    claim.set_id_number(id_number)
    _route(claim, photos={"front_photo": front_photo, "back_photo": back_photo}, now=claim.submitted_at)
    return claim


@transaction.atomic
def claim_resubmit(
    *, claim: VerificationClaim, actor: User, name: str, id_number: str,
    work_place: WorkPlace | None = None, home_township: Township | None = None,
    front_photo=None, back_photo=None,
) -> VerificationClaim:
    """The claimant answers a request for more information; new photos replace the old ones."""
    claim = _locked(claim)
    if claim.user_id != actor.pk or claim.status != Status.MORE_INFO:
        raise ValidationError(_("This claim is not waiting for more information."), code="not_more_info")
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    claim.name, claim.work_place, claim.home_township = name.strip(), work_place, home_township
    claim.set_id_number(id_number)
    _route(claim, photos={"front_photo": front_photo, "back_photo": back_photo}, now=timezone.now())
    return claim


@transaction.atomic
def claim_withdraw(*, claim: VerificationClaim, actor: User) -> VerificationClaim:
    claim = _locked(claim)
    if claim.user_id != actor.pk or not claim.is_open:
        raise ValidationError(_("Only an open claim can be withdrawn."), code="not_open")
    return _decide(claim, actor=actor, status=Status.WITHDRAWN)


def _locked(claim: VerificationClaim) -> VerificationClaim:
    return VerificationClaim.objects.select_for_update().select_related("user").get(pk=claim.pk)


def _decide(
    claim: VerificationClaim, *, actor: User, status: str, reason: str = "", **fields
) -> VerificationClaim:
    claim.status, claim.reason = status, reason
    claim.decided_by, claim.decided_at = actor, timezone.now()
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.full_clean()
    claim.save(update_fields=["status", "reason", "decided_by", "decided_at", *fields])
    return claim


def _for_review(claim: VerificationClaim, actor: User, *, statuses=REVIEW_STATUSES) -> VerificationClaim:
    claim = _locked(claim)
    if claim.status not in statuses:
        raise ValidationError(_("This claim has already been decided."), code="decided")
    if claim.user_id == actor.pk:
        raise ValidationError(_("You cannot decide your own claim."), code="own_claim")
    return claim


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the member a reason.")})
    return reason


@transaction.atomic
def claim_approve(
    *, claim: VerificationClaim, actor: User, member: Member | None = None, **member_fields
) -> VerificationClaim:
    """Link the claimant to an unclaimed roster entry, or (without `member`) create their entry from the
    claim and `member_fields` (organization, status, joined_party_on, full_member_on, …)."""
    claim = _for_review(claim, actor)
    now = timezone.now()
    if member is None:
        member = member_create(
            actor=actor, id_number=claim.id_number, name=claim.name, work_place=claim.work_place,
            home_township=claim.home_township, **member_fields,
        )
    else:
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.user_id is not None:
            raise ValidationError({"member": _("This member record is already linked to an account.")})
    if Member.objects.filter(user=claim.user_id).exists():
        raise ValidationError(_("The claimant's account is already linked to a member record."))
    _link(member=member, user=claim.user, via=VerifiedVia.REVIEW, now=now)
    return _decide(claim, actor=actor, status=Status.APPROVED, member=member)


@transaction.atomic
def claim_reject(*, claim: VerificationClaim, actor: User, reason: str) -> VerificationClaim:
    claim = _for_review(claim, actor)
    return _decide(claim, actor=actor, status=Status.REJECTED, reason=_reason(reason))


@transaction.atomic
def claim_request_more(*, claim: VerificationClaim, actor: User, reason: str) -> VerificationClaim:
    """Ask the claimant for more information; they answer with `claim_resubmit`."""
    claim = _for_review(claim, actor, statuses=(Status.PENDING,))
    return _decide(claim, actor=actor, status=Status.MORE_INFO, reason=_reason(reason))


class ConflictDecision:
    REJECT = "reject"  # the claim is refused
    MOVE = "move"  # the member record moves from the account holding it to the claimant
    REVIEW = "review"  # no account holds the record (the rival was a claim): the branch reviews it


@transaction.atomic
def conflict_resolve(
    *, claim: VerificationClaim, actor: User, decision: str, reason: str
) -> VerificationClaim:
    """County staff settle a conflict: reject the claim, or move the member record from the account
    that holds it to the claimant (the claim keeps both: `member` and `displaced_user`)."""
    claim = _for_review(claim, actor, statuses=(Status.CONFLICT,))
    reason = _reason(reason)
    if decision == ConflictDecision.REJECT:
        return _decide(claim, actor=actor, status=Status.REJECTED, reason=reason)
    member = Member.objects.select_for_update().filter(id_number_digest=claim.id_number_digest).first()
    held = member is not None and member.user_id is not None
    if decision == ConflictDecision.REVIEW:
        if held:
            raise ValidationError(
                _("An account holds the member record with this ID number: move it or reject the claim."),
                code="held",
            )
        claim.status, claim.reason, claim.conflicting_member = Status.PENDING, "", None
        if member is not None:
            claim.organization = member.organization
        claim.full_clean()
        claim.save(update_fields=["status", "reason", "conflicting_member", "organization"])
        return claim
    if decision != ConflictDecision.MOVE:
        raise ValueError(f"unknown decision {decision!r}")
    if not held:
        raise ValidationError(
            _("No account holds a member record with this ID number; reject the claim instead."),
            code="no_holder",
        )
    if Member.objects.filter(user=claim.user_id).exists():
        raise ValidationError(_("The claimant's account is already linked to a member record."))
    displaced = member.user
    _link(member=member, user=claim.user, via=VerifiedVia.REVIEW, now=timezone.now())
    return _decide(
        claim, actor=actor, status=Status.APPROVED, reason=reason, member=member, displaced_user=displaced
    )


@transaction.atomic
def claim_photos_purge(*, claim_id: int, now: datetime.datetime) -> bool:
    """Delete a decided claim's photo files. Claims the work with a conditional update, so running it
    twice (or in two workers at once) deletes once; returns whether this call did the work."""
    claim = VerificationClaim.objects.get(pk=claim_id)
    names = [f.name for f in (claim.front_photo, claim.back_photo) if f]
    done = (
        VerificationClaim.objects.filter(pk=claim_id, photos_deleted_at__isnull=True)
        .exclude(status__in=VerificationClaim.OPEN)
        .update(photos_deleted_at=now, front_photo="", back_photo="")
    )
    if done:
        storage = claim.front_photo.storage
        for name in names:
            storage.delete(name)  # inside the transaction: if it fails, the claim stays to retry
    return bool(done)


def photos_due(*, now: datetime.datetime) -> QuerySet[VerificationClaim]:
    """Decided claims whose photos have been kept for the retention period."""
    cutoff = now - datetime.timedelta(days=settings.ID_PHOTO_RETENTION_DAYS)
    return (
        VerificationClaim.objects.filter(decided_at__lt=cutoff, photos_deleted_at__isnull=True)
        .exclude(status__in=VerificationClaim.OPEN)
        .filter(~Q(front_photo="") | ~Q(back_photo=""))
    )


# Reads


def oversight_paths(scope) -> list[str]:
    return sorted({p.organization.path for p in scope.positions if p.kind in Position.OVERSIGHT_KINDS})


def _under(paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(organization__path__startswith=path)
    return q


def claims_visible(scope) -> QuerySet[VerificationClaim]:
    """Claims an officer may open: those of organizations they manage (overseers above included)."""
    claims = VerificationClaim.objects.all()
    if scope.is_superuser:
        return claims
    return claims.filter(_under(scope.managed_paths))


def claims_to_review(scope) -> QuerySet[VerificationClaim]:
    """The inbox: open claims of the officer's branches, conflicts for overseers; oldest first."""
    review = Q(status__in=REVIEW_STATUSES)
    conflicts = Q(status=Status.CONFLICT)
    if not scope.is_superuser:
        review &= _under(scope.managed_paths)
        conflicts &= _under(oversight_paths(scope))
    return (
        VerificationClaim.objects.filter(review | conflicts)
        .select_related("organization", "work_place", "home_township")
        .order_by("submitted_at", "pk")
    )


def claim_latest(user: User) -> VerificationClaim | None:
    """The claim that says where the user stands: their newest, or a newer one that moved their
    member record to another account (one query)."""
    return (
        VerificationClaim.objects.filter(Q(user=user) | Q(displaced_user=user))
        .select_related("decided_by")
        .order_by("-submitted_at", "-pk")
        .first()
    )
