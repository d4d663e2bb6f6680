"""Membership transfers (组织关系转接): request, approval with an introduction letter, acceptance or the
returned receipt slip, expiry and reissue. Every step is dated on the transfer or its letters.

Until a transfer completes the member stays on the sending branch's roster, and that branch stays
responsible for them. Officers act on either side, never on their own transfer.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, WorkPlace
from branches.selectors import organization_ancestors

from .models import (
    ActivityCard,
    IntroductionLetter,
    Member,
    MembershipPeriod,
    Transfer,
    User,
    digest_id_number,
)
from .notifications.services import notification_send
from .scope import Scope
from .selectors import organization_managers
from .services import member_create
from .transfer_dues import dues_standing

Status = Transfer.Status
LetterStatus = IntroductionLetter.Status
#: the receiver should confirm within a month (DOMAIN.md); after that they are reminded weekly
RECEIVER_DAYS = 30
REMINDER_EVERY_DAYS = 7
RECEIVING_KINDS = (Organization.Kind.BRANCH, Organization.Kind.UNIVERSITY)
CHECK_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _url(transfer: Transfer) -> str:
    return reverse("transfers:detail", args=[transfer.pk])


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


def _locked(transfer: Transfer, *statuses) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member__user", "from_organization", "to_organization")
        .get(pk=transfer.pk)
    )
    if transfer.status not in statuses:
        raise ValidationError(
            _("This transfer is %(status)s; it cannot be changed that way.")
            % {"status": transfer.get_status_display()}
        )
    return transfer


def _require(allowed: bool) -> None:
    if not allowed:
        raise ValidationError(_("You cannot act on this transfer."))


def _notify(transfer: Transfer, recipients, title: str, body: str = "", urgent: bool = False) -> None:
    notification_send(
        recipients=recipients, kind="transfer", title=title, body=body, url=_url(transfer), urgent=urgent
    )


def _managers(transfer: Transfer, org: Organization | None) -> list[User]:
    """Who acts for the organization on this transfer: its managers other than the member; when the
    member is its only manager (a secretary's own transfer), those of the organization above."""
    while org is not None:
        users = [user for user in organization_managers(org) if user.pk != transfer.member.user_id]
        if users:
            return users
        org = Organization.objects.get_parent(org)
    return []


def _senders(transfer: Transfer) -> list[User]:
    return _managers(transfer, transfer.from_organization)


def _receivers(transfer: Transfer) -> list[User]:
    return _managers(transfer, transfer.to_organization)


# Request


@transaction.atomic
def transfer_request(
    *,
    member: Member,
    actor: User,
    reason: str,
    to_organization: Organization | None = None,
    to_outside: str = "",
    to_outside_address: str = "",
    work_place: WorkPlace | None = None,
    employer: str = "",
) -> Transfer:
    """The member asks to transfer, or an officer of their branch starts it for them."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    own = member.user_id == actor.pk
    _require(own or Scope(actor).can_manage(member.organization))
    if Transfer.objects.filter(member=member, status__in=Transfer.OPEN).exists():
        raise ValidationError(_("A transfer for this member is already under way."))
    to_outside, to_outside_address = to_outside.strip(), to_outside_address.strip()
    if (to_organization is None) == (not to_outside):
        raise ValidationError(
            {"to_organization": _("Choose a branch in the portal or name an organization outside it.")}
        )
    if to_organization is not None:
        if to_organization.pk == member.organization_id:
            raise ValidationError({"to_organization": _("The member already belongs to this branch.")})
        if to_organization.kind not in RECEIVING_KINDS:
            raise ValidationError({"to_organization": _("Members are transferred to a branch.")})
    elif not to_outside_address:
        raise ValidationError(
            {"to_outside_address": _("Give the address of the organization outside the portal.")}
        )
    transfer = Transfer(
        member=member,
        from_organization=member.organization,
        to_organization=to_organization,
        to_outside=to_outside,
        to_outside_address=to_outside_address,
        work_place=work_place,
        employer=employer.strip(),
        reason=_reason(reason),
        requested_by=actor,
    )
    transfer.full_clean()
    transfer.save()
    _notify(
        transfer,
        _senders(transfer),
        _("Transfer request from %(name)s") % {"name": member.name},
        _("%(name)s asks to transfer to %(to)s.") % {"name": member.name, "to": transfer.to_name},
    )
    if not own:
        _notify(
            transfer,
            [member],
            _("Your branch started your membership transfer"),
            _("To %(to)s. You can follow every step in the portal.") % {"to": transfer.to_name},
        )
    return transfer


@transaction.atomic
def transfer_withdraw(*, transfer: Transfer, actor: User) -> Transfer:
    transfer = _locked(transfer, Status.REQUESTED)
    _require(transfer.member.user_id == actor.pk)
    return _close(transfer, actor, Status.WITHDRAWN, "")


def _close(transfer: Transfer, actor: User, status: str, reason: str) -> Transfer:
    transfer.status, transfer.closed_by, transfer.closed_at = status, actor, timezone.now()
    transfer.closing_reason = reason
    transfer.full_clean()
    transfer.save(update_fields=["status", "closed_by", "closed_at", "closing_reason"])
    return transfer


# The sending branch


@transaction.atomic
def transfer_reject(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    transfer = _locked(transfer, Status.REQUESTED)
    _require(Scope(actor).can_send(transfer))
    _close(transfer, actor, Status.REJECTED, _reason(reason))
    _notify(transfer, [transfer.member], _("Your transfer request was rejected"), transfer.closing_reason)
    return transfer


@transaction.atomic
def transfer_approve(
    *,
    transfer: Transfer,
    actor: User,
    validity_days: int = IntroductionLetter.MAX_VALIDITY_DAYS,
    dues_paid_up_to: datetime.date | None = None,
) -> IntroductionLetter:
    """Approve the request and issue its introduction letter."""
    transfer = _locked(transfer, Status.REQUESTED)
    _require(Scope(actor).can_send(transfer))
    transfer.status, transfer.approved_by, transfer.approved_at = Status.IN_TRANSIT, actor, timezone.now()
    transfer.save(update_fields=["status", "approved_by", "approved_at"])
    return _letter_send(transfer, actor, validity_days, dues_paid_up_to, _("Your transfer was approved"))


@transaction.atomic
def transfer_reissue(
    *,
    transfer: Transfer,
    actor: User,
    validity_days: int = IntroductionLetter.MAX_VALIDITY_DAYS,
    dues_paid_up_to: datetime.date | None = None,
) -> IntroductionLetter:
    """An expired letter is replaced by a new one with a new serial; nothing is extended."""
    transfer = _locked(transfer, Status.EXPIRED)
    _require(Scope(actor).can_send(transfer))
    transfer.status = Status.IN_TRANSIT
    transfer.save(update_fields=["status"])
    title = _("A new introduction letter was issued")
    return _letter_send(transfer, actor, validity_days, dues_paid_up_to, title)


def _letter_send(transfer: Transfer, actor: User, validity_days: int, dues_paid_up_to, title: str):
    """Issue the transfer's letter and tell the member and the receiving branch."""
    letter = letter_issue(
        transfer=transfer, actor=actor, validity_days=validity_days, dues_paid_up_to=dues_paid_up_to
    )
    _announce_letter(transfer, letter, title)
    return letter


def _announce_letter(transfer: Transfer, letter: IntroductionLetter, title: str) -> None:
    body = _("Introduction letter %(serial)s, valid until %(date)s.") % {
        "serial": letter.serial,
        "date": letter.valid_until.isoformat(),
    }
    _notify(transfer, [transfer.member], title, body)
    _notify(
        transfer,
        _receivers(transfer),
        _("%(name)s is transferring to your branch") % {"name": transfer.member.name},
        body,
    )


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """The sending branch ends a transfer whose letter is out or expired (for example, plans changed)."""
    transfer = _locked(transfer, Status.IN_TRANSIT, Status.EXPIRED)
    _require(Scope(actor).can_send(transfer))
    _close(transfer, actor, Status.CANCELLED, _reason(reason))
    _letters_end(transfer, LetterStatus.CANCELLED, statuses=(LetterStatus.VALID,))
    _notify(
        transfer,
        [transfer.member, *_receivers(transfer)],
        _("A membership transfer was cancelled"),
        transfer.closing_reason,
    )
    return transfer


@transaction.atomic
def transfer_receipt_record(*, transfer: Transfer, actor: User, returned_on: datetime.date) -> Transfer:
    """For a receiver outside the portal: the receipt slip came back, so the transfer is complete."""
    transfer = _locked(transfer, Status.IN_TRANSIT)
    _require(Scope(actor).can_send(transfer) and transfer.to_organization_id is None)
    letter = transfer.letters.get(status=LetterStatus.VALID)
    if not letter.issued_on <= returned_on <= timezone.localdate():
        raise ValidationError({"returned_on": _("The date must be between the letter's issue and today.")})
    transfer.receipt_returned_on = returned_on
    transfer.save(update_fields=["receipt_returned_on"])
    _complete(transfer, actor, on=returned_on)
    member = transfer.member
    member.left_on = returned_on
    member.save(update_fields=["left_on", "updated_at"])
    _notify(
        transfer,
        [member],
        _("Your membership transfer is complete"),
        _("Your membership is now with %(to)s.") % {"to": transfer.to_name},
    )
    return transfer


# The receiving branch


@transaction.atomic
def transfer_accept(*, transfer: Transfer, actor: User) -> Transfer:
    transfer = _locked(transfer, Status.IN_TRANSIT)
    _require(Scope(actor).can_receive(transfer))
    letter = transfer.letters.get(status=LetterStatus.VALID)
    if letter.valid_until < timezone.localdate():  # before the nightly task has marked it
        raise ValidationError(
            _("The introduction letter expired on %(date)s; the sending branch must issue a new one.")
            % {"date": letter.valid_until.isoformat()}
        )
    _complete(transfer, actor, on=timezone.localdate())
    _notify(
        transfer,
        [transfer.member, *_senders(transfer)],
        _("Membership transfer complete"),
        _("%(name)s now belongs to %(to)s.") % {"name": transfer.member.name, "to": transfer.to_name},
    )
    return transfer


@transaction.atomic
def transfer_refuse(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """The receiving branch rejects the transfer with a reason; the member stays where they were."""
    transfer = _locked(transfer, Status.IN_TRANSIT)
    _require(Scope(actor).can_receive(transfer))
    _close(transfer, actor, Status.REFUSED, _reason(reason))
    _letters_end(transfer, LetterStatus.CANCELLED, statuses=(LetterStatus.VALID,))
    _notify(
        transfer,
        [transfer.member, *_senders(transfer)],
        _("The receiving branch rejected the transfer"),
        transfer.closing_reason,
    )
    return transfer


def _complete(transfer: Transfer, actor: User, *, on: datetime.date) -> None:
    _close(transfer, actor, Status.COMPLETED, "")
    transfer.completed_on = on
    transfer.save(update_fields=["completed_on"])
    _letters_end(transfer, LetterStatus.USED, statuses=(LetterStatus.VALID,))
    member = Member.records.select_for_update().get(pk=transfer.member_id)
    MembershipPeriod.objects.create(
        member=member,
        organization=member.organization,
        started_on=member.member_since,
        ended_on=on,
        transfer=transfer,
    )
    ActivityCard.objects.filter(member=member, ended_on__isnull=True).update(
        ended_on=on, end_reason=ActivityCard.EndReason.TRANSFERRED
    )
    if transfer.to_organization_id is None:
        return
    member.organization, member.member_since = transfer.to_organization, on
    fields = ["organization", "member_since", "updated_at"]
    if transfer.work_place_id:
        member.work_place = transfer.work_place
        fields.append("work_place")
    if transfer.employer:
        member.employer = transfer.employer
        fields.append("employer")
    member.full_clean()
    member.save(update_fields=fields)
    transfer.member = member


def _letters_end(transfer: Transfer, status: str, *, statuses) -> int:
    return transfer.letters.filter(status__in=statuses).update(status=status, ended_at=timezone.now())


# Letters


def _sender_contact(org: Organization) -> tuple[str, str, str]:
    """The sending organization's address, postcode and phone; a blank one is taken from the nearest
    ancestor that has it."""
    chain = [org, *reversed(organization_ancestors(org))]
    pick = lambda field: next((getattr(o, field) for o in chain if getattr(o, field)), "")  # noqa: E731
    return pick("address"), pick("postcode"), pick("phone")


def _age(birth_date: datetime.date, on: datetime.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_LETTERS) for _ in range(10))


def letter_issue(
    *,
    transfer: Transfer,
    actor: User,
    validity_days: int,
    dues_paid_up_to: datetime.date | None = None,
) -> IntroductionLetter:
    """Number and write the letter. Serials run 1, 2, 3 … per issuing organization and year, with no
    gap and no duplicate: the issuing organization's row is locked while the next number is taken,
    and the number is only used if the letter is saved in the same transaction."""
    if not 1 <= int(validity_days) <= IntroductionLetter.MAX_VALIDITY_DAYS:
        raise ValidationError(
            {
                "validity_days": _("A letter is valid for 1 to %(max)s days.")
                % {"max": IntroductionLetter.MAX_VALIDITY_DAYS}
            }
        )
    org = Organization.objects.select_for_update().get(pk=transfer.from_organization_id)
    today = timezone.localdate()
    number = (
        IntroductionLetter.objects.filter(organization=org, year=today.year).aggregate(last=Max("number"))[
            "last"
        ]
        or 0
    ) + 1
    standing = dues_standing(transfer.member)
    if standing is not None:
        dues_paid_up_to = standing.paid_up_to
    member = transfer.member
    address, postcode, phone = _sender_contact(org)
    letter = IntroductionLetter(
        transfer=transfer,
        organization=org,
        year=today.year,
        number=number,
        check_code=_check_code(),
        name=member.name,
        sex=member.sex,
        age=_age(member.birth_date, today),
        ethnicity=member.ethnicity,
        member_status=member.status,
        from_name=org.name,
        to_name=transfer.to_name,
        to_address=transfer.to_outside_address
        or (transfer.to_organization.address if transfer.to_organization_id else ""),
        dues_paid_up_to=dues_paid_up_to.replace(day=1) if dues_paid_up_to else None,
        validity_days=int(validity_days),
        issued_on=today,
        valid_until=today + datetime.timedelta(days=int(validity_days) - 1),
        sender_address=address,
        sender_postcode=postcode,
        sender_phone=phone,
        issued_by=actor,
    )
    letter.set_id_number(member.id_number)
    letter.set_phone(member.phone)
    letter.full_clean()
    letter.save()
    from .letters import letter_pdf_enqueue

    transaction.on_commit(lambda: letter_pdf_enqueue(letter.pk))
    return letter


# Deadlines (periodic tasks)


def letters_expire(*, today: datetime.date) -> int:
    """Letters past their validity become expired, once, and both sides are told. Returns how many."""
    expired = 0
    for letter_id in IntroductionLetter.objects.filter(
        status=LetterStatus.VALID, valid_until__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = IntroductionLetter.objects.filter(pk=letter_id, status=LetterStatus.VALID).update(
                status=LetterStatus.EXPIRED, ended_at=timezone.now()
            )
            if not claimed:
                continue
            letter = IntroductionLetter.objects.select_related("transfer__member").get(pk=letter_id)
            transfer = letter.transfer
            Transfer.objects.filter(pk=transfer.pk, status=Status.IN_TRANSIT).update(status=Status.EXPIRED)
            body = _(
                "Introduction letter %(serial)s expired on %(date)s. The sending branch must issue "
                "a new letter; the old one cannot be used."
            ) % {"serial": letter.serial, "date": letter.valid_until.isoformat()}
            _notify(
                transfer,
                [transfer.member, *_senders(transfer), *_receivers(transfer)],
                _("An introduction letter expired"),
                body,
                urgent=True,
            )
            expired += 1
    return expired


def letters_remind(*, today: datetime.date) -> int:
    """Letters waiting more than a month: the receiving branch is reminded (weekly); for a receiver
    outside the portal the sending branch is reminded to chase the receipt slip. Returns how many."""
    since = today - datetime.timedelta(days=RECEIVER_DAYS)
    again = today - datetime.timedelta(days=REMINDER_EVERY_DAYS)
    due = IntroductionLetter.objects.filter(status=LetterStatus.VALID, issued_on__lt=since).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=again)
    )
    reminded = 0
    for letter_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = (
                IntroductionLetter.objects.filter(pk=letter_id, status=LetterStatus.VALID)
                .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=again))
                .update(last_reminded_on=today)
            )
            if not claimed:
                continue
            letter = IntroductionLetter.objects.select_related("transfer__member", "organization").get(
                pk=letter_id
            )
            transfer = letter.transfer
            days = (today - letter.issued_on).days
            if transfer.to_organization_id:
                _notify(
                    transfer,
                    _receivers(transfer),
                    _("A transfer has waited %(days)s days for your branch") % {"days": days},
                    _("%(name)s's introduction letter %(serial)s: accept or reject the transfer.")
                    % {"name": transfer.member.name, "serial": letter.serial},
                )
            else:
                _notify(
                    transfer,
                    _senders(transfer),
                    _("No receipt slip after %(days)s days") % {"days": days},
                    _("Introduction letter %(serial)s to %(to)s: record the receipt slip when it returns.")
                    % {"serial": letter.serial, "to": transfer.to_name},
                )
            reminded += 1
    return reminded


# From outside the portal


@transaction.atomic
def transfer_register_incoming(
    *,
    actor: User,
    organization: Organization,
    from_outside: str,
    letter_number: str,
    received_on: datetime.date,
    id_number: str,
    reason: str = "",
    **member_fields,
) -> Transfer:
    """Record an introduction letter received from an organization outside the portal: the member is
    put on the receiving branch's roster (a returning member's record is taken up again)."""
    _require(Scope(actor).can_manage(organization) and organization.kind in RECEIVING_KINDS)
    from_outside, letter_number = from_outside.strip(), letter_number.strip()
    if not from_outside:
        raise ValidationError({"from_outside": _("Name the organization that issued the letter.")})
    if not letter_number:
        raise ValidationError({"letter_number": _("Give the number printed on the letter.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date cannot be in the future.")})
    from .validators import validate_id_number

    id_number = validate_id_number(id_number)
    member = Member.records.select_for_update().filter(id_number_digest=digest_id_number(id_number)).first()
    if member is not None and member.left_on is None:
        raise ValidationError(
            {
                "id_number": _("This member is already on the roster of %(org)s.")
                % {"org": member.organization.name}
            }
        )
    if member is None:
        member = member_create(
            actor=actor,
            id_number=id_number,
            organization=organization,
            member_since=received_on,
            **member_fields,
        )
        started_on = None
    else:
        started_on = member.left_on
        member.organization, member.member_since, member.left_on = organization, received_on, None
        member.full_clean()
        member.save(update_fields=["organization", "member_since", "left_on", "updated_at"])
    now = timezone.now()
    transfer = Transfer(
        member=member,
        from_outside=from_outside,
        to_organization=organization,
        reason=reason.strip() or _("Introduction letter received from outside the portal."),
        status=Status.COMPLETED,
        requested_by=actor,
        requested_at=now,
        closed_by=actor,
        closed_at=now,
        completed_on=received_on,
        outside_letter_number=letter_number,
    )
    transfer.full_clean()
    transfer.save()
    MembershipPeriod.objects.create(
        member=member,
        outside_organization=from_outside,
        started_on=started_on,
        ended_on=received_on,
        transfer=transfer,
    )
    return transfer


# Reads


def transfers_open_for(member: Member) -> Transfer | None:
    return Transfer.objects.filter(member=member, status__in=Transfer.OPEN).first()


def letters_of(transfer: Transfer) -> QuerySet[IntroductionLetter]:
    return transfer.letters.select_related("organization").order_by("-issued_at", "-pk")
