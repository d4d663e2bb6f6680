from django.shortcuts import get_object_or_404

from members.models import User

from .models import Notification


def access_notification(user: User, pk: int) -> Notification:
    """One of the account's own notifications; 404 when it is missing or someone else's."""
    return get_object_or_404(Notification, pk=pk, recipient=user)
