"""Response headers and bodies that every page shares (the Content-Security-Policy is django-csp's)."""

from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

# No page uses a device or a browser feature behind a permission: all of them are off, for frames too.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
        "sync-xhr", "usb", "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and Cache-Control: private on every page.

    Pages carry personal data or a session, so shared caches (proxies, CDNs) keep none of them and
    the browser keeps no copy on disk; a view that sets its own private policy (the calendar feed)
    keeps it. Static files are answered by WhiteNoise before this runs, with their long max-age.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        cache_control = response.get("Cache-Control", "")
        if not cache_control:
            patch_cache_control(response, private=True, no_store=True)
        elif "private" not in cache_control:
            patch_cache_control(response, private=True)  # drops any `public`
        return response


class MethodNotAllowedBodyMiddleware:
    """A 405 with an empty body (Django's `require_POST`, `View.http_method_not_allowed`) gets the
    site's page, in the visitor's language; the Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
