from django.urls import path

from .views import members, roster

app_name = "members"
urlpatterns = [
    path("", members.member_list, name="list"),
    path("mine/", members.mine, name="mine"),
    path("new/", members.member_create, name="create"),
    path("<int:pk>/", members.member_detail, name="detail"),
    path("<int:pk>/edit/", members.member_edit, name="edit"),
    path("<int:pk>/transfer/", members.member_transfer, name="transfer"),
    path("<int:pk>/depart/", members.member_depart, name="depart"),
    path("<int:pk>/reveal-id/", members.member_reveal_id, name="reveal_id"),
    path("<int:pk>/positions/new/", members.position_add, name="position_add"),
    path("<int:pk>/positions/<int:position_pk>/end/", members.position_end, name="position_end"),
]

# The roster pages: their own namespace, "roster", included at members/roster/ by peixun/urls.py.
roster_patterns = (
    [
        path("import/", roster.import_page, name="import"),
        path("import/confirm/", roster.import_confirm, name="confirm"),
        path("template.xlsx", roster.template_download, name="template"),
        path("export.xlsx", roster.export, name="export"),
    ],
    "roster",
)
