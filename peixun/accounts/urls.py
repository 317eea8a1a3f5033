from django.urls import path

from .views import sessions, settings

app_name = "accounts"
urlpatterns = [
    path("login/", sessions.LoginView.as_view(), name="login"),
    path("logout/", sessions.LogoutView.as_view(), name="logout"),
    path("settings/", settings.settings_page, name="settings"),
]
