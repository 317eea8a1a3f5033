from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit"),
    path("jobs/", views.jobs_page, name="jobs"),
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        views.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:pk>/go/",
        views.notification_go,
        name="notification_go",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification_read",
    ),
]
