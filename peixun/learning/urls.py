from django.urls import URLPattern, URLResolver, path

from .views import imports

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    # External records import (学习强国, 干部网络学院 …): docs/learning.md "External records".
    path("imports/", imports.index, name="imports"),
    path("imports/sources/new/", imports.source_new, name="import_source_new"),
    path("imports/sources/<int:pk>/", imports.source_edit, name="import_source"),
    path("imports/<int:pk>/", imports.batch_detail, name="import_batch"),
    path("imports/<int:pk>/progress/", imports.batch_progress, name="import_progress"),
    path("imports/<int:pk>/review/", imports.review, name="import_review"),
    path("imports/<int:pk>/apply/", imports.batch_apply, name="import_apply"),
    path("imports/lines/<int:pk>/pick/", imports.line_pick, name="import_pick"),
]
