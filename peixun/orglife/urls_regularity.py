from django.urls import path

from .views import regularity

urlpatterns = [
    path("regularity/", regularity.branch_calendar, name="regularity"),
    path("regularity/overview/", regularity.overview, name="regularity_overview"),
    path("regularity/record-book/", regularity.record_book_docx, name="record_book"),
]
