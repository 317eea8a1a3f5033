"""Read replicas (DESIGN §9): report and dashboard pages read from a streaming replica, so the
heaviest reads leave the primary, while every write, every other page, every API call and every
job stays on the primary.

- `ReplicaRouter` sends a read to the replica only inside a view marked `@replica_reads`; writes,
  `select_for_update` and `get_or_create` always go to the primary (Django asks `db_for_write`).
- After a user writes (any unsafe request that did not fail), `PrimaryAfterWriteMiddleware` pins
  their browser to the primary for `REPLICA_PIN_SECONDS` with a signed cookie, so the report they
  open next shows what they just did. The web processes keep no state of their own.
- A replica further behind than `REPLICA_MAX_LAG_SECONDS` is not used; the lag is read at most
  once a second per process and shown on the pages that read the replica (`request.replica_lag`).
- Without `DATABASE_REPLICA_URL` nothing here does anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "peixun_primary"
_PIN_SALT = "peixun.core.replicas.pin"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_reading_replica: ContextVar[bool] = ContextVar("peixun_reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads go to the replica only while a `@replica_reads` view runs; nothing else changes."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _reading_replica.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: objects read from either relate.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"


# -- lag --------------------------------------------------------------------------------------

_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    -- Everything received has been replayed: the replica is current, however old the last
    -- transaction it replayed (an idle primary sends nothing new).
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))
END
"""
_lag_cache: dict[str, tuple[float, float | None]] = {}
LAG_READ_EVERY = 1.0


def replica_lag(*, fresh: bool = False) -> float | None:
    """Seconds the replica is behind the primary (0 when current); None when there is no
    replica, it cannot be reached, or it is not a standby. Read at most once a second."""
    if not replica_configured():
        return None
    now = time.monotonic()
    cached = _lag_cache.get(REPLICA)
    if cached is not None and not fresh and now - cached[0] < LAG_READ_EVERY:
        return cached[1]
    lag: float | None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL)
            row = cursor.fetchone()
        lag = None if row is None or row[0] is None else max(0.0, float(row[0]))
    except DatabaseError:
        connections[REPLICA].close()
        lag = None
    _lag_cache[REPLICA] = (now, lag)
    return lag


# -- pinning after a write -------------------------------------------------------------------


def pinned_to_primary(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT)
    try:
        return value is not None and float(value) > time.time()
    except (TypeError, ValueError):
        return False


class PrimaryAfterWriteMiddleware:
    """After a user's write, their next pages read the primary for REPLICA_PIN_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            replica_configured()
            and request.method not in _SAFE_METHODS
            and response.status_code < 400
        ):
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                str(time.time() + seconds),
                salt=_PIN_SALT,
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


P = ParamSpec("P")


def replica_reads(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Mark a read-only page whose reads may come from the replica (reports, the dashboard).

    The page renders inside the mark, so lazy querysets in its template read the replica too.
    It reads the primary when there is no replica, the user has just written, or the replica is
    more than REPLICA_MAX_LAG_SECONDS behind."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)
        if not replica_configured() or request.method not in _SAFE_METHODS:
            return view(*args, **kwargs)
        if pinned_to_primary(request):
            return view(*args, **kwargs)
        lag = replica_lag()
        if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
            return view(*args, **kwargs)
        request.replica_lag = lag  # type: ignore[attr-defined]
        token = _reading_replica.set(True)
        try:
            response = view(*args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                render()
            return response
        finally:
            _reading_replica.reset(token)

    return wrapped
