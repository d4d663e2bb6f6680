from django.urls import path

from . import organization_views as views

app_name = "branches"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/roster/", views.roster, name="roster"),
]
