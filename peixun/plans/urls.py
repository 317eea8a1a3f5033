"""Pages of annual training plans (filing, approval, plan versus actual)."""

from django.urls import path

from .views import pages

app_name = "plans"

urlpatterns = [
    path("", pages.plan_list, name="list"),
    path("filings/", pages.filings, name="filings"),
    path("filings.xlsx", pages.filings_xlsx, name="filings_xlsx"),
    path("<int:pk>/", pages.plan_detail, name="detail"),
    path("<int:pk>/items/new/", pages.item_new, name="item_new"),
    path("<int:pk>/items/<int:item_pk>/", pages.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/delete/", pages.item_delete, name="item_delete"),
    path("<int:pk>/items/<int:item_pk>/done/", pages.item_done, name="item_done"),
    path("<int:pk>/submit/", pages.plan_submit, name="submit"),
    path("<int:pk>/approve/", pages.plan_approve, name="approve"),
    path("<int:pk>/return/", pages.plan_return, name="return"),
    path("<int:pk>/attachments/", pages.attachment_new, name="attachment_new"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        pages.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        pages.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:pk>/versions/<int:number>/", pages.version_detail, name="version"),
    path("<int:pk>/progress/", pages.plan_progress, name="progress"),
    path("<int:pk>/document.docx", pages.plan_docx, name="document"),
]
