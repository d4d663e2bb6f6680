from django.urls import path

from . import result_views, views

app_name = "votes"

urlpatterns = [
    path("", views.ballot_list, name="list"),
    path("new/<int:org_pk>/", views.ballot_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/open/", views.open_, name="open"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/cast/", views.cast, name="cast"),
    path("<int:pk>/results/", result_views.results, name="results"),
    path("<int:pk>/results.pdf", result_views.results_pdf, name="results_pdf"),
    path("<int:pk>/board/", result_views.board, name="board"),
    path("<int:pk>/board.json", result_views.board_json, name="board_json"),
]
