"""Pages of evaluations, needs surveys, competitions and 述学评学."""

from django.urls import path

from .views import study_reports

app_name = "surveys"

urlpatterns = [
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
]
