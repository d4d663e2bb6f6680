from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import ngettext

from . import security
from .scope import scope_for


class ScopeMiddleware:
    """Attaches `request.scope`, built lazily on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request))
        return self.get_response(request)


class OfficerSecurityMiddleware:
    """Officers' sessions end after `OFFICER_IDLE_TIMEOUT` seconds without a request, and officers who
    must use two-factor authentication (`security.mfa_required_for`) reach the pages in
    `security.MFA_GATED_VIEWS` only once they have an authenticator app.

    Members keep normal sessions. The last request's time is written to the session at most once a
    minute, so most requests do not write the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.scope.is_officer:
            self.idle_check(request)
        return self.get_response(request)

    def idle_check(self, request) -> None:
        now = int(security.clock())
        last_seen = request.session.get(security.LAST_SEEN_KEY)
        timeout = settings.OFFICER_IDLE_TIMEOUT
        if last_seen is not None and now - last_seen > timeout:
            logout(request)
            request.scope = SimpleLazyObject(lambda: scope_for(request))  # the anonymous user's scope
            minutes = max(1, timeout // 60)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity.",
                    "You were signed out after %(minutes)d minutes without activity.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif last_seen is None or now - last_seen >= security.LAST_SEEN_RESOLUTION:
            request.session[security.LAST_SEEN_KEY] = now

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not security.mfa_gated(request.resolver_match.view_name):
            return None
        if not security.mfa_required_for(request.user, request.scope) or security.has_mfa(request.user):
            return None
        return redirect("mfa_index")
