"""Pages of the 数据驾驶舱 (dashboard), the yearly reports and their editor, year-end closing."""

from django.urls import URLPattern, URLResolver, path

from .views import dashboard
from .views import report as report_views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    # The yearly reports and their editor.
    path("drafts/", report_views.report_list, name="report_list"),
    path("drafts/<int:pk>/", report_views.report_edit, name="report_edit"),
    path("drafts/<int:pk>/delete/", report_views.report_delete, name="report_delete"),
    path("drafts/<int:pk>/close-year/", report_views.report_close, name="report_close"),
    path("drafts/<int:pk>/report.<str:fmt>", report_views.report_download, name="report_download"),
]
