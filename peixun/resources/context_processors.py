"""The navigation's flag for a signed-in teacher of the 师资库 ("My teaching")."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from .selectors.teachers import is_teacher


def teaching(request: HttpRequest) -> dict[str, Any]:
    """`nav_is_teacher`: asked only when a template reads it, and then once per request (one
    indexed query on the teacher's login)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_teacher": False}

    @cache
    def flag() -> bool:
        return is_teacher(user)

    return {"nav_is_teacher": flag}
