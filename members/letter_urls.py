from django.urls import path

from . import letter_verify_views as views

app_name = "letters"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
