from django.urls import path

from .views import classes

urlpatterns = [
    path("", classes.class_list, name="list"),
    path("calendar/", classes.class_calendar, name="calendar"),
    path("new/", classes.class_new, name="new"),
    path("settings/", classes.training_settings, name="settings"),
    path("<int:pk>/", classes.class_detail, name="detail"),
    path("<int:pk>/edit/", classes.class_edit, name="edit"),
    path("<int:pk>/sessions/new/", classes.session_new, name="session_new"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", classes.session_edit, name="session_edit"),
    path(
        "<int:pk>/sessions/<int:session_pk>/delete/", classes.session_delete, name="session_delete"
    ),
    path("<int:pk>/publish/", classes.class_publish, name="publish"),
    path("<int:pk>/cancel/", classes.class_cancel, name="cancel"),
]
