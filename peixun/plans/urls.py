"""Pages of annual training plans (filing, approval, plan versus actual)."""

from django.urls import path  # noqa: F401

app_name = "plans"

urlpatterns: list = []  # filled by the plans slice
