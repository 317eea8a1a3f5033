"""Pages of training classes: the classes themselves, dispatch (quotas, nominations, the roster)
and closing (attendance, make-ups, the checklist, the files handed out)."""

from django.urls import path

from .views import circular, classes, closing, dispatch

app_name = "training"

urlpatterns = [
    # classes
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
    # dispatch
    path("places/", dispatch.my_places, name="my_places"),
    path("<int:pk>/roster/", dispatch.roster, name="roster"),
    path("<int:pk>/quotas/", dispatch.quotas, name="quotas"),
    path("<int:pk>/quotas/<int:quota_pk>/", dispatch.quota_change, name="quota_change"),
    path("<int:pk>/nominate/<int:quota_pk>/", dispatch.nominate, name="nominate"),
    path("<int:pk>/name/", dispatch.name_members, name="name_members"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/<str:action>/",
        dispatch.enrolment_action,
        name="enrolment_action",
    ),
    path("<int:pk>/roster.<str:fmt>", dispatch.roster_export, name="roster_export"),
    path("<int:pk>/notice/", dispatch.notice_docx, name="notice"),
    path("<int:pk>/notice.<str:fmt>", dispatch.notice_file, name="notice_file"),
    path("<int:pk>/notices.<str:fmt>", dispatch.notices_batch, name="notices"),
    # the 调训情况通报, of a class and of an org's year
    path("<int:pk>/circular/", circular.class_circular, name="circular"),
    path("<int:pk>/circular.<str:fmt>", circular.class_circular_download, name="circular_file"),
    path("circular/", circular.year_circular, name="year_circular"),
    path("circular.<str:fmt>", circular.year_circular_download, name="year_circular_file"),
    # closing
    path("mine/", closing.my_training, name="mine"),
    path("<int:pk>/attendance/", closing.attendance, name="attendance"),
    path("<int:pk>/makeups/", closing.makeups, name="makeups"),
    path("<int:pk>/closing/", closing.closing, name="closing"),
    path("<int:pk>/plan/", closing.plan_document, name="plan_document"),
    path("<int:pk>/signin-sheet.<str:fmt>", closing.signin_sheet, name="signin_sheet"),
    path("<int:pk>/certificate/<int:member_pk>/", closing.certificate, name="certificate"),
    path(
        "<int:pk>/certificate/<int:member_pk>.<str:fmt>",
        closing.certificate_file,
        name="certificate_file",
    ),
    path("<int:pk>/certificates.<str:fmt>", closing.certificates_batch, name="certificates"),
]
