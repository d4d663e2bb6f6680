from django.urls import path

from . import reveal_views as views

app_name = "reveal"

urlpatterns = [
    path("<int:pk>/reveal/", views.member_reveal, name="member"),
]
