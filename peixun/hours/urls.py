from django.urls import path

from . import views

app_name = "hours"
urlpatterns = [
    path("record/", views.record, name="record"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="reverse"),
    path("entries/<int:pk>/evidence/", views.entry_evidence, name="evidence"),
    path("entries/<int:pk>/approve/", views.entry_approve, name="approve"),
    path("entries/<int:pk>/reject/", views.entry_reject, name="reject"),
    path("pending/", views.pending, name="pending"),
    path("self-study/", views.self_study_list, name="self_study"),
    path("self-study/new/", views.self_study_new, name="self_study_new"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/audience/", views.rule_audience, name="rule_audience"),
    path("rules/<int:pk>/retire/", views.rule_retire, name="rule_retire"),
]
