from django.urls import path

from . import verification_views as views

app_name = "verification"

urlpatterns = [
    path("", views.status, name="status"),
    path("claim/", views.claim, name="claim"),
    path("claim/more/", views.resubmit, name="resubmit"),
    path("claim/withdraw/", views.withdraw, name="withdraw"),
    path("review/", views.inbox, name="inbox"),
    path("review/<int:pk>/", views.detail, name="detail"),
    path("claims/<int:pk>/<str:side>.jpg", views.photo, name="photo"),
]
