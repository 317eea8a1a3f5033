"""Pages of the 数据驾驶舱 (dashboard), the yearly reports and their editor, year-end closing."""

from django.urls import URLPattern, URLResolver, path

from .views import dashboard

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
]
