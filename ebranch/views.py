"""Error pages that need more than a template (Django's handlers render 400.html, 403.html, …)."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: the site's 403 page, saying what to do in plain words."""
    context = {
        "title": _("This form has expired"),
        "message": _(
            "The page was open for too long, or your browser did not send the site's cookie. "
            "Go back, reload the page and send the form again."
        ),
    }
    return render(request, "403.html", context, status=403)
