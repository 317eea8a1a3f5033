"""Pages of the question bank and papers (/exams/bank/…, /exams/papers/…)."""

from django.urls import path

from .views import bank, papers

urlpatterns = [
    path("bank/", bank.bank, name="bank"),
    path("bank/new/", bank.bank_new, name="bank_new"),
    path("bank/import/", bank.bank_import, name="bank_import"),
    path("bank/export.xlsx", bank.bank_export, name="bank_export"),
    path("bank/template.xlsx", bank.bank_template, name="bank_template"),
    path("bank/<int:pk>/", bank.bank_edit, name="bank_edit"),
    path("bank/<int:pk>/retire/", bank.bank_retire, name="bank_retire"),
    path("papers/", papers.papers, name="papers"),
    path("papers/new/", papers.paper_new, name="paper_new"),
    path("papers/<int:pk>/", papers.paper_detail, name="paper_detail"),
    path("papers/<int:pk>/edit/", papers.paper_edit, name="paper_edit"),
    path("papers/<int:pk>/add/", papers.paper_add, name="paper_add"),
    path("papers/<int:pk>/remove/", papers.paper_remove, name="paper_remove"),
]
