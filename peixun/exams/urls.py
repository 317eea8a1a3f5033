"""Pages of knowledge tests: exams (mine), the bank and papers (urls_bank)."""

from django.urls import include, path

from .views import exams, taking

app_name = "exams"

urlpatterns = [
    path("", exams.exam_list, name="list"),
    path("new/", exams.exam_new, name="new"),
    path("rules/", exams.rules, name="rules"),
    path("mine/", taking.mine, name="mine"),
    path("<int:pk>/", exams.exam_detail, name="detail"),
    path("<int:pk>/edit/", exams.exam_edit, name="edit"),
    path("<int:pk>/publish/", exams.exam_publish, name="publish"),
    path("<int:pk>/cancel/", exams.exam_cancel, name="cancel"),
    path("<int:pk>/finalise/", exams.exam_finalise, name="finalise"),
    path("<int:pk>/remind/", exams.exam_remind, name="remind"),
    path("<int:pk>/results.xlsx", exams.results_xlsx, name="results_xlsx"),
    path("<int:pk>/take/", taking.take, name="take"),
    path("attempts/<int:attempt_pk>/", taking.attempt_result, name="attempt"),
    path("", include("peixun.exams.urls_bank")),
]
