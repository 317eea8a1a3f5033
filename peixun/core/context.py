"""Request facts that services need for the audit trail, without passing the request down."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

current_address: ContextVar[str | None] = ContextVar("peixun_current_address", default=None)


def client_address(meta: dict[str, Any]) -> str | None:
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip()[:45] or None
    return meta.get("REMOTE_ADDR") or None
