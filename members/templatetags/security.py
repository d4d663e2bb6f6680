"""Template helpers for the account-security pages (two-factor authentication, sessions)."""

from django import template
from django.utils.translation import gettext as _

from members.security import mfa_required_for

register = template.Library()

# (token in the User-Agent header, name shown), first match wins: in-app and derived browsers first.
BROWSERS = (
    ("MicroMessenger", None),  # WeChat's built-in browser, named in `device`
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
SYSTEMS = (
    ("HarmonyOS", "HarmonyOS"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


@register.simple_tag(takes_context=True)
def mfa_required(context) -> bool:
    """Must the signed-in user have an authenticator app (an officer who manages members)?"""
    request = context["request"]
    return mfa_required_for(request.user, request.scope)


@register.filter
def device(user_agent: str) -> str:
    """"Chrome · Android" from a browser's User-Agent header, or a plain "Unknown browser"."""
    user_agent = user_agent or ""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    if browser is None:
        browser = _("WeChat")
    system = next((name for token, name in SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part) or _("Unknown browser")
