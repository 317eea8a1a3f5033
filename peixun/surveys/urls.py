"""Pages of evaluations, needs surveys, competitions and 述学评学."""

from django.urls import path

from .views import answer, evaluations, forms, settings

app_name = "surveys"

urlpatterns = [
    path("forms/", forms.forms_list, name="forms"),
    path("forms/new/", forms.form_new, name="form_new"),
    path("forms/<int:pk>/", forms.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", forms.form_edit, name="form_edit"),
    path("evaluations/", evaluations.evaluations, name="evaluations"),
    path("evaluations/new/", evaluations.evaluation_new, name="evaluation_new"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/remind/", evaluations.evaluation_remind, name="evaluation_remind"),
    path("evaluations/<int:pk>/close/", evaluations.evaluation_close, name="evaluation_close"),
    path("evaluations/<int:pk>/export/", evaluations.evaluation_export, name="evaluation_export"),
    path("mine/", answer.mine, name="mine"),
    path("<int:pk>/answer/", answer.answer, name="answer"),
    path("<int:pk>/thanks/", answer.answer_thanks, name="answer_thanks"),
    path("settings/", settings.settings_page, name="settings"),
]
