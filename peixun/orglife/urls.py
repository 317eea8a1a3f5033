"""Pages of organisational life; meetings and regularity keep their own URL modules."""

from django.urls import include, path

app_name = "orglife"

urlpatterns = [
    path("", include("peixun.orglife.urls_meetings")),
    path("", include("peixun.orglife.urls_regularity")),
]
