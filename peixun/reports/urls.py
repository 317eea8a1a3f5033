"""Pages of the 数据驾驶舱 (dashboard), the yearly reports and their editor, year-end closing."""

from django.urls import URLPattern, URLResolver, path

from .views import report as report_views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = []

# The yearly reports and their editor (the "report" slice).
urlpatterns += [
    path("drafts/", report_views.report_list, name="report_list"),
    path("drafts/<int:pk>/", report_views.report_edit, name="report_edit"),
    path("drafts/<int:pk>/delete/", report_views.report_delete, name="report_delete"),
    path("drafts/<int:pk>/report.<str:fmt>", report_views.report_download, name="report_download"),
]
