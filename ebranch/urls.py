from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from members.views import home

# The sandbox's cashier exists only while the sandbox is on (dues/gateways/__init__.py).
sandbox = [path("dues/sandbox/", include("dues.gateways.sandbox"))] if settings.DUES_SANDBOX_ENABLED else []

urlpatterns = [
    path("", home, name="home"),
    path("members/", include("members.urls")),
    path("members/", include("members.reveal_urls")),
    path("verify/", include("members.verification_urls")),
    path("branches/", include("members.organization_urls")),
    path("meetings/", include("meetings.urls")),
    path("receipts/", include("dues.receipt_urls")),
    path("", include("members.notifications.urls")),
    path("transfers/", include("members.transfer_urls")),
    path("letters/", include("members.letter_urls")),
    path("votes/", include("votes.urls")),
    path("points/", include("members.points.urls")),
    path("compliance/", include("meetings.compliance_urls")),
    path("calendar/", include("meetings.calendar_urls")),
    path("dues/", include("dues.urls")),
    path("dues/pay/", include("dues.payment_urls")),
    *sandbox,
    path("dues/reports/", include("dues.report_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
