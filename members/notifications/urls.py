from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.open_notification, name="open"),
    path("inbox/read-all/", views.read_all, name="read_all"),
    path("settings/notifications/", views.settings_page, name="settings"),
]
