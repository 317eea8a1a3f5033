"""Signing in and out.

A plain member who ticks "keep me signed in" on their own phone stays signed in for the tenant's
number of days (so a QR sign-in at a meeting is one scan); everyone else's session ends when the
browser closes or after SESSION_COOKIE_AGE. Logging out anywhere ends every session of the user,
the remembered phone's included (`services.sessions_end_everywhere`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from ..forms import LoginForm
from ..selectors import remembered_session_seconds
from ..services import login_audit, sessions_end_everywhere


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        seconds = 0
        if form.cleaned_data.get("remember"):
            seconds = remembered_session_seconds(user, user.member)
        # 0: the cookie ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE).
        self.request.session.set_expiry(seconds)
        login_audit(user=user, verb="account.login")
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            login_audit(user=request.user, verb="account.logout")
            sessions_end_everywhere(actor=request.user, user=request.user)
        return super().post(request, *args, **kwargs)
