"""The calendar feed (no login: the token in the URL is the secret) and the page that manages its URL."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.decorators import verified_member_required

from .calendar import (
    calendar_feed,
    calendar_meetings,
    calendar_token_renew,
    calendar_token_revoke,
    calendar_user,
)


def feed(request, token):
    user = calendar_user(token)
    member = getattr(user, "member", None) if user else None
    if member is None:
        raise Http404
    text = calendar_feed(calendar_meetings(member), base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@verified_member_required
def settings_page(request):
    token = request.user.calendar_token
    url = request.build_absolute_uri(reverse("calendar:feed", args=[token])) if token else ""
    return render(request, "meetings/calendar/settings.html", {"feed_url": url})


@require_POST
@verified_member_required
def renew(request):
    calendar_token_renew(user=request.user)
    messages.success(request, _("Your calendar link is ready. Any earlier link no longer works."))
    return redirect("calendar:settings")


@require_POST
@verified_member_required
def revoke(request):
    calendar_token_revoke(user=request.user)
    messages.success(request, _("Your calendar link no longer works."))
    return redirect("calendar:settings")
