"""Pages of teachers (师资库) and sites (教学点, 党建阵地) with their bookings."""

from django.urls import URLPattern, URLResolver, path

from .views import sites, teachers

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
    path("sites/", sites.site_list, name="site_list"),
    path("sites/new/", sites.site_new, name="site_new"),
    path("sites/<int:pk>/", sites.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", sites.site_edit, name="site_edit"),
    path("sites/<int:pk>/book/", sites.booking_new, name="booking_new"),
    path("sites/<int:pk>/bookings.xlsx", sites.site_bookings_xlsx, name="site_bookings_xlsx"),
    path("bookings/requests/", sites.booking_queue, name="booking_queue"),
    path("bookings/mine/", sites.booking_mine, name="booking_mine"),
    path("bookings/<int:pk>/confirm/", sites.booking_confirm, name="booking_confirm"),
    path("bookings/<int:pk>/refuse/", sites.booking_refuse, name="booking_refuse"),
    path("bookings/<int:pk>/cancel/", sites.booking_cancel, name="booking_cancel"),
]
