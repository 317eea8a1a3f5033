"""Pages of training classes; each slice of the workflow keeps its own URL module."""

from django.urls import include, path

app_name = "training"

urlpatterns = [
    path("", include("peixun.training.urls_classes")),
    path("", include("peixun.training.urls_dispatch")),
    path("", include("peixun.training.urls_closing")),
]
