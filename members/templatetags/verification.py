"""The verification status on the member's own pages (home, profile, the status page).

A decision is news once: the first page that shows it marks it seen in the session.
"""

from django import template
from django.conf import settings

from members import verification as svc
from members.models import VerifiedVia

register = template.Library()

SEEN_KEY = "verification_seen"


def _news(request, marker: str) -> bool:
    if request.session.get(SEEN_KEY) == marker:
        return False
    request.session[SEEN_KEY] = marker
    return True


def claim_news(request, claim) -> bool:
    """Is this claim's decision new to its viewer? (Waiting claims are not news.)"""
    if claim is None or claim.decided_at is None or claim.status in (svc.Status.PENDING, svc.Status.CONFLICT):
        return False
    return _news(request, f"claim:{claim.pk}:{claim.status}:{claim.decided_at.timestamp()}")


@register.simple_tag(takes_context=True)
def verification_news(context) -> bool:
    """For a linked member: was their branch's confirmation not yet seen? (No query.)"""
    request = context["request"]
    member = request.scope.member
    if member is None or member.verified_via != VerifiedVia.REVIEW or member.verified_at is None:
        return False
    return _news(request, f"member:{member.pk}:{member.verified_at.timestamp()}")


@register.inclusion_tag("members/verification/includes/status_card.html", takes_context=True)
def verification_card(context):
    """Where the user stands and what to do next (one query when no member record is linked)."""
    request = context["request"]
    member = request.scope.member
    claim = None if member is not None else svc.claim_latest(request.user)
    return {
        "request": request, "user": request.user, "member": member, "claim": claim,
        "news": claim_news(request, claim), "csrf_token": context.get("csrf_token"),
        "retention_days": settings.ID_PHOTO_RETENTION_DAYS,
    }
