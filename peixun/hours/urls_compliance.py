from django.urls import path

from . import views_compliance as views

app_name = "compliance"
urlpatterns = [
    path("", views.compliance_index, name="index"),
    path("orgs/<int:pk>/", views.org_page, name="org"),
    path("orgs/<int:pk>/ledger.xlsx", views.ledger_download, name="ledger"),
    path("members/<int:pk>/", views.member_page, name="member"),
]
