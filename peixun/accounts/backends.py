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
