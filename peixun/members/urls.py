from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/reveal-id/", views.member_reveal_id, name="reveal_id"),
    path("<int:pk>/positions/new/", views.position_add, name="position_add"),
    path("<int:pk>/positions/<int:position_pk>/end/", views.position_end, name="position_end"),
]
