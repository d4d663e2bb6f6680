from django.urls import path

from . import transfer_office_views as office
from . import transfer_views as views

app_name = "transfers"

urlpatterns = [
    # A member's own transfers, and one transfer with its actions
    path("", views.mine, name="mine"),
    path("new/", views.request_create, name="request"),
    path("new/member/<int:member_pk>/", views.start_for_member, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/reissue/", views.reissue, name="reissue"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    # Officers
    path("inbox/", office.inbox, name="inbox"),
    path("overview/", office.overview, name="overview"),
    path("members/<int:member_pk>/", office.member_history, name="member_history"),
    path("incoming/<int:org_pk>/", office.register_incoming, name="register_incoming"),
    path("cards/new/<int:member_pk>/", office.card_issue, name="card_issue"),
    path("cards/<int:pk>/end/", office.card_end, name="card_end"),
]
