from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse


def first_message(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` on this site: PEIXUN_SITE_URL when the operator set it (behind a proxy the
    request's host may be an internal name a phone cannot reach), else the request's host."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def code_url(request: HttpRequest, event_pk: int, token: str, mode: str = "") -> str:
    """What the projector's QR code holds: the phone page with the current token."""
    target = "events:signout" if mode == "signout" else "events:signin"
    return absolute_url(request, f"{reverse(target, args=[event_pk])}?t={token}")
