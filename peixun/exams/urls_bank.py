"""Pages of the question bank and papers (/exams/bank/…, /exams/papers/…)."""

from django.urls import path

urlpatterns: list = []
