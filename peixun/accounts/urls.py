from django.urls import path

from .views import login

app_name = "accounts"
urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.LogoutView.as_view(), name="logout"),
]
