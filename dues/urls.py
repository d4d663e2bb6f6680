from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.my_dues, name="mine"),
    path("declare/", views.declare, name="declare"),
    path("bases/", views.bases_waiting, name="bases"),
    path("bases/<int:pk>/approve/", views.base_approve, name="approve"),
    path("members/<int:pk>/", views.member_dues, name="member"),
]
