"""Pages of teachers (师资库) and sites (教学点, 党建阵地) with their bookings."""

from django.urls import path

from .views import sites

app_name = "resources"

urlpatterns = [
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
