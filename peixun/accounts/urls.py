from django.urls import path

from .views import accounts, activation, grants, sessions, settings, tokens

app_name = "accounts"
urlpatterns = [
    path("login/", sessions.LoginView.as_view(), name="login"),
    path("logout/", sessions.LogoutView.as_view(), name="logout"),
    path("activate/", activation.activate, name="activate"),
    path("password/", activation.password_change, name="password"),
    path("tokens/", tokens.my_tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("users/<int:pk>/tokens/", tokens.user_tokens, name="user_tokens"),
    path("orgs/", accounts.accounts_home, name="home"),
    path("orgs/<int:pk>/", accounts.org_accounts, name="org"),
    path("orgs/<int:pk>/create/", accounts.create_accounts, name="create"),
    path("orgs/<int:pk>/slips.docx", accounts.slips_download, name="slips"),
    path("orgs/<int:pk>/slips.pdf", accounts.slips_download_pdf, name="slips_pdf"),
    path("members/<int:pk>/create/", accounts.member_account_create, name="member_create"),
    path("users/<int:pk>/reissue/", accounts.account_reissue, name="reissue"),
    path("users/<int:pk>/reset/", accounts.account_reset, name="reset"),
    path("settings/", settings.settings_page, name="settings"),
    path("grants/", grants.grant_list, name="grants"),
    path("grants/new/", grants.grant_new, name="grant_new"),
    path("grants/users/", grants.grant_user_options, name="grant_user_options"),
    path("grants/secretary/", grants.grant_secretary, name="grant_secretary"),
    path("grants/<int:pk>/", grants.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant_revoke"),
    path("tenants/new/", grants.tenant_new, name="tenant_new"),
]
