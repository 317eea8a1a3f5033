"""Receivers of Django's and django-axes' failed-login signals. They only hand over to the audit
service: the signals are the one place every way of trying a password (the login page, the API
token call) passes through. Successful logins and logouts are recorded by their views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .services import login_audit


def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Django has already scrubbed the password from `credentials`.
    login_audit(
        user=None, verb="account.login_failed", username=str(credentials.get("username", ""))
    )


def on_locked_out(sender: Any, request: HttpRequest | None, username: str, **kwargs: Any) -> None:
    login_audit(user=None, verb="account.locked_out", username=username or "")
