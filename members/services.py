"""Every write to members, accounts and officer positions goes through here."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article9Notice, Member, Position, User, VerifiedVia, digest_id_number
from .validators import id_birth_date, id_sex, validate_id_number, validate_phone

MEMBER_FIELDS = {
    "name", "ethnicity", "education", "university", "graduation_year", "home_township", "work_place",
    "employer", "joined_party_on", "full_member_on", "status", "organization", "member_since", "user",
}


def _set_identity(member: Member, *, id_number: str | None, phone: str | None) -> None:
    if id_number is not None:
        id_number = validate_id_number(id_number)
        others = Member.records.exclude(pk=member.pk)
        clash = others.filter(id_number_digest=digest_id_number(id_number)).first()
        if clash is not None and clash.left_on is not None:
            raise ValidationError({"id_number": _(
                "This member transferred out of the portal; record the introduction letter received "
                "to put them back on a roster."
            )})
        if clash is not None:
            raise ValidationError({"id_number": _("A member with this ID number is already on a roster.")})
        member.set_id_number(id_number)
        member.birth_date = id_birth_date(id_number)
        member.sex = id_sex(id_number)
    if phone is not None:
        member.set_phone(validate_phone(phone) if phone else "")


@transaction.atomic
def member_create(*, actor: User | None, id_number: str, phone: str = "", **fields) -> Member:
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    member = Member(**fields)
    if member.user_id is not None:  # an officer links the account: verified by them
        member.verified_via, member.verified_at = VerifiedVia.OFFICER, timezone.now()
    _set_identity(member, id_number=id_number, phone=phone)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_update(
    *, member: Member, actor: User | None, id_number: str | None = None, phone: str | None = None, **fields
) -> Member:
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    linked_before = member.user_id
    for name, value in fields.items():
        setattr(member, name, value)
    changed = set(fields)
    if "user" in fields and member.user_id != linked_before:  # an officer links or unlinks the account
        linked = member.user_id is not None
        member.verified_via = VerifiedVia.OFFICER if linked else ""
        member.verified_at = timezone.now() if linked else None
        changed |= {"verified_via", "verified_at"}
    _set_identity(member, id_number=id_number, phone=phone)
    member.full_clean()
    if id_number is not None:
        changed |= {"id_number_encrypted", "id_number_digest", "birth_date", "sex"}
    if phone is not None:
        changed |= {"phone_encrypted", "phone_digest"}
    member.save(update_fields=[*changed, "updated_at"])
    return member


@transaction.atomic
def position_assign(
    *, actor: User | None, user: User, organization, kind: str,
    starts_on: datetime.date | None = None, ends_on: datetime.date | None = None, contact_phone: str = "",
) -> Position:
    position = Position(
        user=user, organization=organization, kind=kind, contact_phone=contact_phone,
        starts_on=starts_on or datetime.date.today(), ends_on=ends_on,
    )
    position.full_clean()
    position.save()
    return position


@transaction.atomic
def position_end(*, position: Position, actor: User | None, ends_on: datetime.date) -> Position:
    position.ends_on = ends_on
    position.full_clean()
    position.save(update_fields=["ends_on"])
    return position


@transaction.atomic
def position_update(*, position: Position, actor: User | None, contact_phone: str) -> Position:
    position.contact_phone = contact_phone
    position.full_clean()
    position.save(update_fields=["contact_phone"])
    return position


def article9_notices_record(
    *, cause: str, months: int, due: dict[int, datetime.date], members: Iterable[Member],
    send: Callable[[Member, Article9Notice, list[User]], None],
) -> list[Article9Notice]:
    """Record the art. 9 notices `due` (member pk: first month of the run), once per run, and have each new
    one sent by `send(member, notice, secretaries of the member's branch)`. Returns the new notices.

    A fixed number of queries, plus a savepoint and the sending per new notice."""
    members = [m for m in members if m.pk in due]
    if not members:
        return []
    sent = set(
        Article9Notice.objects.filter(cause=cause, months=months, member_id__in=due).values_list(
            "member_id", "month"
        )
    )
    secretaries = defaultdict(list)
    for position in Position.objects.active().filter(
        organization_id__in={m.organization_id for m in members}, kind=Position.Kind.SECRETARY
    ).select_related("user"):
        secretaries[position.organization_id].append(position.user)
    notices = []
    for member in members:
        if (member.pk, due[member.pk]) in sent:
            continue
        try:
            with transaction.atomic():
                notice = Article9Notice.objects.create(
                    member=member, cause=cause, month=due[member.pk], months=months
                )
        except IntegrityError:  # recorded by a concurrent run
            continue
        send(member, notice, secretaries[member.organization_id])
        notices.append(notice)
    return notices
