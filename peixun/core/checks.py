"""Deployment checks of our own: `manage.py check --deploy` fails on the published defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from peixun.env import DEVELOPMENT_SECRET_KEY


@register(Tags.security, deploy=True)
def keys_of_our_own(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        problems.append(
            Error(
                "SECRET_KEY is the development default published in the repository.",
                hint="Set PEIXUN_SECRET_KEY (or PEIXUN_SECRET_KEY_FILE) to 50+ random characters.",
                id="peixun.E001",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEY:
        problems.append(
            Error(
                "FIELD_ENCRYPTION_KEY is empty: ID-card numbers would be encrypted under a key "
                "derived from SECRET_KEY.",
                hint="Set PEIXUN_FIELD_KEY (or PEIXUN_FIELD_KEY_FILE) to 32+ random characters "
                "of its own, kept apart from the database backups.",
                id="peixun.E002",
            )
        )
    return problems
