from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from peixun.core.text import fold_width

from .models import User


class UsernameOrMobileBackend(ModelBackend):
    """Log in with either the username or the registered mobile number."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        login = fold_width(username).strip()
        user = User.objects.filter(Q(username=login) | Q(mobile=login)).order_by("id").first()
        if user is None:
            # Run the hasher anyway so timing does not tell which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The key django-axes counts failures under (AXES_USERNAME_CALLABLE).

    One account answers to its username, its mobile number and every full-width or padded
    spelling of them; counting each spelling apart would give an attacker five guesses per
    spelling. So failures count against the account's username whichever spelling was typed.
    """
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "data", request.POST).get("username")
    if raw is None:
        return None
    login = fold_width(str(raw)).strip()
    username = (
        User.objects.filter(Q(username=login) | Q(mobile=login))
        .order_by("id")
        .values_list("username", flat=True)
        .first()
    )
    return username or login
