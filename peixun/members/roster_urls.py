from django.urls import path

from . import roster_views

app_name = "roster"
urlpatterns = [
    path("import/", roster_views.import_page, name="import"),
    path("import/confirm/", roster_views.import_confirm, name="confirm"),
    path("template.xlsx", roster_views.template_download, name="template"),
    path("export.xlsx", roster_views.export, name="export"),
]
