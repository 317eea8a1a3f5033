from django.urls import path

from . import roster_views

app_name = "roster"
urlpatterns = [
    path("import/", roster_views.import_page, name="import"),
]
