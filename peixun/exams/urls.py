"""Pages of knowledge tests: exams (and mine), the question bank (/exams/bank/…) and papers
(/exams/papers/…)."""

from django.urls import path

from .views import bank, exams, papers, taking

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
    path("bank/", bank.bank, name="bank"),
    path("bank/new/", bank.bank_new, name="bank_new"),
    path("bank/import/", bank.bank_import, name="bank_import"),
    path("bank/export.xlsx", bank.bank_export, name="bank_export"),
    path("bank/template.xlsx", bank.bank_template, name="bank_template"),
    path("bank/<int:pk>/", bank.bank_edit, name="bank_edit"),
    path("bank/<int:pk>/retire/", bank.bank_retire, name="bank_retire"),
    path("papers/", papers.papers, name="papers"),
    path("papers/new/", papers.paper_new, name="paper_new"),
    path("papers/<int:pk>/", papers.paper_detail, name="paper_detail"),
    path("papers/<int:pk>/edit/", papers.paper_edit, name="paper_edit"),
    path("papers/<int:pk>/add/", papers.paper_add, name="paper_add"),
    path("papers/<int:pk>/remove/", papers.paper_remove, name="paper_remove"),
]
