"""Pages of spending (经费): expenses against classes, meetings and plan items; plan versus actual."""

from django.urls import path

from . import views

app_name = "spending"

urlpatterns = [
    path("", views.expense_list, name="list"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("new/", views.expense_new, name="new"),
    path("plan-actual/", views.plan_actual, name="plan_actual"),
    path("<int:pk>/", views.expense_detail, name="detail"),
    path("<int:pk>/edit/", views.expense_edit, name="edit"),
    path("<int:pk>/void/", views.expense_void, name="void"),
    path("<int:pk>/attachments/", views.attachment_new, name="attachment_new"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
