from django.urls import path

from . import report_views as views

app_name = "dues_reports"

urlpatterns = [
    path("", views.county, name="county"),
    path("county.xlsx", views.county_xlsx, name="county_xlsx"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("refunds/<int:pk>/settle/", views.refund_settle, name="refund_settle"),
]
