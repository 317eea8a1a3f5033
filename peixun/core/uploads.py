"""A checked upload held for its confirmation, the same way on every import page.

An import is checked first (a dry run that stores nothing) and imported when the user
confirms; the confirmation must import exactly the bytes that were checked. The bytes wait
under MEDIA_ROOT/imports/<kind>/<random>.xlsx, named by a signed token that the confirm form
posts back: the token binds the file to the user, to what it is for (an event, an org) and to
its original name, and expires within the hour. Files never confirmed (they may hold plain ID
numbers) are removed by the periodic job `core.uploads_sweep` once their hour is up.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing

from .scoping import Actor

HOLD_SECONDS = 3600  # a checked file waits at most this long for its confirmation


@dataclass(frozen=True)
class HeldUpload:
    path: Path
    filename: str
    bound: dict[str, Any]

    def read(self) -> bytes:
        return self.path.read_bytes()

    def release(self) -> None:
        """Remove the file once it has been imported."""
        self.path.unlink(missing_ok=True)


def _folder(kind: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / kind


def _salt(kind: str) -> str:
    return f"peixun.uploads.{kind}"


def upload_hold(
    *, kind: str, user: Actor, data: bytes, filename: str, bound: dict[str, Any] | None = None
) -> str:
    """Keep the checked bytes; return the token that names them for the confirm step."""
    folder = _folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    (folder / f"{name}.xlsx").write_bytes(data)
    payload = {"f": name, "u": user.pk, "n": filename[:200], "b": bound or {}}
    return signing.dumps(payload, salt=_salt(kind))


def upload_held(
    *, kind: str, user: Actor, token: str, max_age: int, bound: dict[str, Any] | None = None
) -> HeldUpload | None:
    """The upload a token names, if it is this user's, bound to the same things, not expired
    and still there; else None (the page asks for the file again)."""
    try:
        held = signing.loads(token, salt=_salt(kind), max_age=min(max_age, HOLD_SECONDS))
    except signing.BadSignature:
        return None
    name = str(held.get("f", ""))
    if held.get("u") != user.pk or len(name) != 32 or not name.isalnum():
        return None
    if bound is not None and held.get("b") != bound:
        return None
    path = _folder(kind) / f"{name}.xlsx"
    if not path.is_file():
        return None
    return HeldUpload(path=path, filename=str(held.get("n", "")), bound=dict(held.get("b") or {}))


def uploads_sweep(now: float | None = None) -> int:
    """Remove every held upload whose hour is up (checked, never confirmed); the count removed.
    Run every few minutes by `manage.py run_jobs`."""
    cutoff = (time.time() if now is None else now) - HOLD_SECONDS
    removed = 0
    for old in (Path(settings.MEDIA_ROOT) / "imports").glob("*/*.xlsx"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
                removed += 1
    return removed
