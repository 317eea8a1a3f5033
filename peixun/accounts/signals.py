"""Receivers of Django's and django-axes' failed-login signals. They only hand over to the audit
service: the signals are the one place every way of trying a password (the login page, the API
token call) passes through. Successful logins and logouts are recorded by their views; a login
also stamps the session's last activity for the staff idle timeout (`middleware`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .middleware import stamp_activity
from .services import login_audit


def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Django has already scrubbed the password from `credentials`.
    login_audit(
        user=None, verb="account.login_failed", username=str(credentials.get("username", ""))
    )


def on_locked_out(sender: Any, request: HttpRequest | None, username: str, **kwargs: Any) -> None:
    login_audit(user=None, verb="account.locked_out", username=username or "")


def on_logged_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    # A new session starts active: an old stamp kept across the login must not end it at once.
    if request is not None and hasattr(request, "session"):
        stamp_activity(request.session)
