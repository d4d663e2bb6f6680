"""The inbox (each account's own notifications) and the choice of how email arrives."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from . import services as svc
from .access import access_notification
from .forms import EmailDeliveryForm

INBOX_PAGE_SIZE = 20


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/notifications/inbox.html", {"page": page})


@login_required
def open_notification(request, pk):
    """Mark it read and follow its link (back to the inbox when it has none)."""
    notification = access_notification(request.user, pk)
    svc.notification_mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect(reverse("notifications:inbox") + f"#n{notification.pk}")


@require_POST
@login_required
def read_all(request):
    if svc.notifications_mark_all_read(user=request.user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect(reverse("notifications:inbox"))


@login_required
def settings_page(request):
    form = EmailDeliveryForm(request.POST or None, initial={"email_delivery": request.user.email_delivery})
    if request.method == "POST" and form.is_valid():
        svc.notification_settings_update(
            user=request.user, email_delivery=form.cleaned_data["email_delivery"]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "members/notifications/settings.html", {"form": form})
