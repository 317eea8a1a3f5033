from django.urls import path

from .views import attendance, leave, settings, signin

app_name = "events"

urlpatterns = [
    path("scan/", signin.scan_help, name="scan"),
    path("<int:pk>/projector/", signin.projector, name="projector"),
    path("<int:pk>/projector/panel/", signin.projector_panel, name="projector_panel"),
    path("<int:pk>/signin/", signin.signin, name="signin"),
    path("<int:pk>/signout/", signin.signout, name="signout"),
    path("<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("<int:pk>/attendance/<int:member_pk>/mark/", attendance.mark, name="attendance_mark"),
    path("<int:pk>/attendance/selected/", attendance.mark_selected, name="attendance_selected"),
    path("<int:pk>/attendance/absent/", attendance.mark_unmarked, name="attendance_absent"),
    path("<int:pk>/attendance/import/", attendance.import_page, name="attendance_import"),
    path(
        "<int:pk>/attendance/import/confirm/",
        attendance.import_confirm,
        name="attendance_import_confirm",
    ),
    path("<int:pk>/attendance/template.xlsx", attendance.template, name="attendance_template"),
    path("<int:pk>/close/", attendance.close, name="close"),
    path("<int:pk>/reopen/", attendance.reopen, name="reopen"),
    path("<int:pk>/leave/new/", leave.leave_new, name="leave_new"),
    path("leave/", leave.leave_mine, name="leave_mine"),
    path("leave/pending/", leave.leave_pending, name="leave_pending"),
    path("leave/<int:pk>/decide/", leave.leave_decide_view, name="leave_decide"),
    path("leave/<int:pk>/cancel/", leave.leave_cancel_view, name="leave_cancel"),
    path("settings/", settings.settings_page, name="settings"),
]
