from django.urls import path

from .views import dispatch

urlpatterns = [
    path("places/", dispatch.my_places, name="my_places"),
    path("<int:pk>/roster/", dispatch.roster, name="roster"),
    path("<int:pk>/quotas/", dispatch.quotas, name="quotas"),
    path("<int:pk>/quotas/<int:quota_pk>/", dispatch.quota_change, name="quota_change"),
    path("<int:pk>/nominate/<int:quota_pk>/", dispatch.nominate, name="nominate"),
    path("<int:pk>/name/", dispatch.name_members, name="name_members"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/<str:action>/",
        dispatch.enrolment_action,
        name="enrolment_action",
    ),
    path("<int:pk>/roster.<str:fmt>", dispatch.roster_export, name="roster_export"),
    path("<int:pk>/notice/", dispatch.notice_docx, name="notice"),
]
