"""Reads of member records shared by pages, each in a fixed number of queries."""

from .models import Member


def member_for_profile(user) -> Member | None:
    """The user's own roster entry with everything the profile shows (one query)."""
    if not user.is_authenticated:
        return None
    return (
        Member.objects.select_related("organization", "home_township", "work_place")
        .filter(user=user)
        .first()
    )
