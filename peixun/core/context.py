"""Request facts that services need for the audit trail, without passing the request down."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest

current_address: ContextVar[str | None] = ContextVar("peixun_current_address", default=None)


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(meta: dict[str, Any]) -> str | None:
    """The client's address as the trusted proxies saw it.

    With PEIXUN_TRUSTED_PROXIES = N (the reverse proxies in front of the app, 0 by default),
    X-Forwarded-For is read from the right: the last N - 1 entries are our own proxies' hops and
    the one before them is the address that connected to the first proxy. Entries further left are
    whatever the client chose to send, and are never used. Anything that is not an IP address is
    ignored, and the connection's own address is used instead."""
    remote = _valid(str(meta.get("REMOTE_ADDR") or ""))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    hops = [hop for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies]) or remote


def request_client_address(request: HttpRequest) -> str | None:
    """The same address for django-axes (AXES_CLIENT_IP_CALLABLE), so lockouts and the audit
    trail agree and a forged header locks nobody else out."""
    return client_address(request.META)
