from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_schedule, name="schedule"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/reply/", views.attendance_reply, name="reply"),
    path("<int:pk>/check-in/", views.attendance_check_in, name="check_in"),
    path("<int:pk>/attendance/", views.attendance_sheet, name="sheet"),
    path("<int:pk>/attendance/<int:attendance_pk>/", views.attendance_correct, name="correct"),
    path("<int:pk>/code/", views.checkin_code, name="code"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
