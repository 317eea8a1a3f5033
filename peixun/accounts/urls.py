from django.urls import path

from .views import grants, login

app_name = "accounts"
urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.LogoutView.as_view(), name="logout"),
    path("grants/", grants.grant_list, name="grants"),
    path("grants/new/", grants.grant_new, name="grant_new"),
    path("grants/users/", grants.grant_user_options, name="grant_user_options"),
    path("grants/secretary/", grants.grant_secretary, name="grant_secretary"),
    path("grants/<int:pk>/", grants.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant_revoke"),
    path("tenants/new/", grants.tenant_new, name="tenant_new"),
]
