"""Pages of spending (经费): expenses against classes, meetings and plan items; plan versus actual."""

from django.urls import URLPattern, URLResolver

app_name = "spending"

urlpatterns: list[URLPattern | URLResolver] = []
