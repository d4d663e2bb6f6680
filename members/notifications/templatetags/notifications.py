"""The unread count in the header."""

from django import template

from members.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """How many of the signed-in account's notifications are unread (one COUNT query)."""
    return unread_count(context["request"].user)
