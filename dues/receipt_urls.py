from django.urls import path

from . import receipt_views

app_name = "receipts"

urlpatterns = [
    path("<int:pk>/download/", receipt_views.receipt_download, name="download"),
    path("verify/<str:receipt_number>/<str:check>/", receipt_views.receipt_verify, name="verify"),
]
