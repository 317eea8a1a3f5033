from django.urls import path

from .views import closing

urlpatterns = [
    path("mine/", closing.my_training, name="mine"),
    path("<int:pk>/attendance/", closing.attendance, name="attendance"),
    path("<int:pk>/makeups/", closing.makeups, name="makeups"),
    path("<int:pk>/closing/", closing.closing, name="closing"),
    path("<int:pk>/plan/", closing.plan_document, name="plan_document"),
    path("<int:pk>/signin-sheet.<str:fmt>", closing.signin_sheet, name="signin_sheet"),
    path("<int:pk>/certificate/<int:member_pk>/", closing.certificate, name="certificate"),
]
