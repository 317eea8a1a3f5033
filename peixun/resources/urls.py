"""Pages of teachers (师资库) and sites (教学点, 党建阵地) with their bookings."""

from django.urls import URLPattern, URLResolver, path

from .views import teachers

app_name = "resources"

urlpatterns: list[URLPattern | URLResolver] = [
    path("teachers/", teachers.teacher_list, name="teacher_list"),
    path("teachers/export.xlsx", teachers.teacher_export, name="teacher_export"),
    path("teachers/new/", teachers.teacher_new, name="teacher_new"),
    path("teachers/<int:pk>/", teachers.teacher_detail, name="teacher_detail"),
    path("teachers/<int:pk>/edit/", teachers.teacher_edit, name="teacher_edit"),
    path("teachers/<int:pk>/leave/", teachers.teacher_leave, name="teacher_leave"),
    path("teachers/<int:pk>/rejoin/", teachers.teacher_rejoin, name="teacher_rejoin"),
    path("teachers/<int:pk>/login/", teachers.teacher_login, name="teacher_login"),
    path("teaching/", teachers.my_teaching, name="my_teaching"),
]
