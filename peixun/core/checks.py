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


@register(Tags.security, deploy=True)
def audit_retention(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    days = settings.AUDIT_RETENTION_DAYS
    if days < settings.AUDIT_MIN_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {days}: the audit trail must be kept at least "
                f"{settings.AUDIT_MIN_RETENTION_DAYS} days (six months, 等保 level 3).",
                hint="Set PEIXUN_AUDIT_RETENTION_DAYS to 183 or more (400 by default).",
                id="peixun.E010",
            )
        ]
    return []
