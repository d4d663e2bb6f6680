from django.urls import path

from . import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("renew/", views.renew, name="renew"),
    path("revoke/", views.revoke, name="revoke"),
    path("<str:token>.ics", views.feed, name="feed"),
]
