from django.urls import path

from . import payment_views as views

app_name = "dues_pay"
urlpatterns = [
    path("", views.pay, name="pay"),
    path("notify/<str:gateway>/", views.notify, name="notify"),
    path("return/<str:out_trade_no>/", views.order_return, name="return"),
    path("offline/<int:member_pk>/", views.offline_record, name="offline"),
]
