from django.urls import path

from . import compliance_views as views

app_name = "compliance"

urlpatterns = [
    path("", views.county, name="county"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("my-attendance/", views.my_attendance, name="my_attendance"),
    path("members/<int:pk>/", views.member_attendance, name="member_attendance"),
]
