"""Pages of teachers (师资库) and sites (教学点, 党建阵地) with their bookings."""

from django.urls import path  # noqa: F401

app_name = "resources"

urlpatterns: list = []  # type: ignore[type-arg]
