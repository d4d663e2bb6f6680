"""The one check member features use: only verified members get in."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def verified_member_required(view):
    """Let in a signed-in user whose account is linked to a member record (real-name verified).

    Anonymous visitors go to the login page; signed-in users without a member record go to the
    verification page, with a message saying why.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.scope.member is None:
            messages.info(request, _("Verify your identity first: link your account to your member record."))
            return redirect("verification:status")
        return view(request, *args, **kwargs)

    return wrapper
