"""Unmasking: an officer asks for a member's full ID number or phone number, and it is recorded."""

from django.db import transaction

from .models import Member, PersonalDataAccess, User


@transaction.atomic
def personal_data_reveal(*, actor: User, member: Member, field: str, reason: str) -> str:
    """Record who asked for which value of whose record and why, and return the value.

    The caller has checked that `actor` manages the member's organization.
    """
    access = PersonalDataAccess(officer=actor, member=member, field=field, reason=reason.strip())
    access.full_clean(exclude=["officer", "member"])  # both are loaded: no need to look them up
    access.save()
    return member.id_number if field == PersonalDataAccess.Field.ID_NUMBER else member.phone
