"""Reads of the inbox."""

from django.db.models import QuerySet

from members.models import User

from .models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    """The account's own notifications, newest first, with only the fields the inbox shows."""
    return Notification.objects.filter(recipient=user).only(
        "pk", "title", "body", "url", "urgent", "created_at", "read_at", "recipient_id"
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
