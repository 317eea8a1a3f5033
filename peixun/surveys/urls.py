"""Pages of evaluations, needs surveys, competitions and 述学评学."""

from django.urls import path

from .views import answer, contests, evaluations, forms, needs, settings, study_reports

app_name = "surveys"

urlpatterns = [
    path("contests/", contests.contest_list, name="contests"),
    path("contests/new/", contests.contest_new, name="contest_new"),
    path("contests/<int:pk>/", contests.contest_detail, name="contest"),
    path("contests/<int:pk>/judging/", contests.contest_judging, name="contest_judging"),
    path("contests/<int:pk>/publish/", contests.contest_publish, name="contest_publish"),
    path("contests/<int:pk>/enter/", contests.entry_mine, name="contest_enter"),
    path("contests/<int:pk>/judge/", contests.judge_queue, name="judge_queue"),
    path("contests/<int:pk>/judge/<int:entry_pk>/", contests.judge_score, name="judge_score"),
    path("contests/<int:pk>/results/", contests.contest_results, name="contest_results"),
    path(
        "contests/<int:pk>/results.xlsx",
        contests.contest_results_xlsx,
        name="contest_results_xlsx",
    ),
    path(
        "contests/<int:pk>/recognition/", contests.contest_recognition, name="contest_recognition"
    ),
    path("contests/<int:pk>/entries/<int:entry_pk>/", contests.entry_detail, name="entry"),
    path(
        "contests/<int:pk>/entries/<int:entry_pk>/slides/",
        contests.entry_slides,
        name="entry_slides",
    ),
    path(
        "contests/<int:pk>/entries/<int:entry_pk>/withdraw/",
        contests.entry_withdraw,
        name="entry_withdraw",
    ),
    path(
        "contests/<int:pk>/entries/<int:entry_pk>/award/",
        contests.entry_award,
        name="entry_award",
    ),
    path("study-report/", study_reports.my_study_report, name="my_study_report"),
    path("study-reports/", study_reports.study_report_list, name="study_reports"),
    path("study-reports/export.xlsx", study_reports.study_report_xlsx, name="study_reports_xlsx"),
    path("study-reports/<int:pk>/", study_reports.study_report_detail, name="study_report"),
    path(
        "study-reports/<int:pk>/review/",
        study_reports.study_report_review,
        name="study_report_review",
    ),
    path(
        "study-reports/<int:pk>/return/",
        study_reports.study_report_return,
        name="study_report_return",
    ),
    path("needs/", needs.needs_list, name="needs_list"),
    path("needs/new/", needs.needs_new, name="needs_new"),
    path("needs/<int:pk>/", needs.needs_detail, name="needs_detail"),
    path("needs/<int:pk>/open/", needs.needs_open, name="needs_open"),
    path("needs/<int:pk>/invite/", needs.needs_invite, name="needs_invite"),
    path("needs/<int:pk>/close/", needs.needs_close, name="needs_close"),
    path("needs/<int:pk>/results/", needs.needs_results, name="needs_results"),
    path("needs/<int:pk>/results.xlsx", needs.needs_results_xlsx, name="needs_results_xlsx"),
    path("needs/<int:pk>/cite/", needs.needs_cite, name="needs_cite"),
    path(
        "needs/<int:pk>/citations/<int:citation_pk>/withdraw/",
        needs.needs_uncite,
        name="needs_uncite",
    ),
    path("forms/", forms.forms_list, name="forms"),
    path("forms/new/", forms.form_new, name="form_new"),
    path("forms/<int:pk>/", forms.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", forms.form_edit, name="form_edit"),
    path("evaluations/", evaluations.evaluations, name="evaluations"),
    path("evaluations/new/", evaluations.evaluation_new, name="evaluation_new"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/remind/", evaluations.evaluation_remind, name="evaluation_remind"),
    path("evaluations/<int:pk>/close/", evaluations.evaluation_close, name="evaluation_close"),
    path("evaluations/<int:pk>/export/", evaluations.evaluation_export, name="evaluation_export"),
    path("mine/", answer.mine, name="mine"),
    path("<int:pk>/answer/", answer.answer, name="answer"),
    path("<int:pk>/thanks/", answer.answer_thanks, name="answer_thanks"),
    path("settings/", settings.settings_page, name="settings"),
]
