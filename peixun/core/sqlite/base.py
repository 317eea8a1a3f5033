"""SQLite, with writers queued on a kernel lock instead of polling for SQLite's write lock.

SQLite lets one writer at a time. A connection that finds the write lock taken sleeps in
SQLite's busy handler and retries (after 1, 2, 5, 10, 15, 20, 25 ... ms), so under a burst of
short writes from several worker processes (a QR sign-in burst) the lock is often free while
every waiter is still asleep: measured with bench/signin_burst.py, the machine's cores stood
about half idle during the burst. Here a write first takes an exclusive `flock` on a file beside
the database (`<name>.writers`), which the kernel hands to the next waiter the moment it is
released, and only then asks SQLite for the write lock as before (`BEGIN IMMEDIATE`):

- a transaction (`atomic`) queues before its BEGIN and leaves the queue when it commits or rolls
  back, or when the connection closes; the kernel releases the lock of a process that dies;
- a write statement outside any transaction (Django's autocommit: `QuerySet.update()`, a plain
  `save()`) queues for that one statement.

Readers never queue (WAL). A database in memory (the tests') has one connection and no queue.
SQLite's own busy timeout still applies behind the queue (a connection that does not use this
backend, such as the `sqlite3` shell, is not in the queue).
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Queries longer than this (long IN lists) are converted each time rather than kept.
_KEEP_CONVERTED = 4096


@functools.lru_cache(maxsize=512)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


def _writes(query: str) -> bool:
    return query.lstrip()[:7].upper().startswith(_WRITES)


class _Connection(sqlite3.Connection):
    """sqlite3's connection, knowing the Django connection whose queue its writes join."""

    queue: DatabaseWrapper | None = None


class _Cursor(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        # Django rewrites %s to ? with a regular expression on every execute; the same few
        # statements run over and over (a sign-in's nine), so their rewrite is kept.
        if param_names is None and len(query) <= _KEEP_CONVERTED:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction or not _writes(query):
            return super().execute(query, params)
        with _QueuedStatement(self.connection):
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction or not _writes(query):
            return super().executemany(query, param_list)
        with _QueuedStatement(self.connection):
            return super().executemany(query, param_list)


class _QueuedStatement:
    def __init__(self, connection: Any) -> None:
        self.db: DatabaseWrapper | None = getattr(connection, "queue", None)
        self.entered = False

    def __enter__(self) -> None:
        if self.db is not None:
            self.entered = self.db.enter_queue()

    def __exit__(self, *exc: object) -> None:
        if self.entered and self.db is not None:
            self.db.leave_queue()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_fd: int | None = None
        self._queued = False

    # -- the queue ----------------------------------------------------------------------------

    def enter_queue(self) -> bool:
        """Wait for this database's writers' lock; False when already held or not queued."""
        if self._queued or self.is_in_memory_db():
            return False
        if self._queue_fd is None:
            path = f"{self.settings_dict['NAME']}.writers"
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._queued = True
        return True

    def leave_queue(self) -> None:
        if self._queued and self._queue_fd is not None:
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
        self._queued = False

    # -- Django's hooks -----------------------------------------------------------------------

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection({**conn_params, "factory": _Connection})
        conn.queue = self
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=_Cursor)

    def _start_transaction_under_autocommit(self) -> None:
        entered = self.enter_queue()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in the stubs
        except BaseException:
            if entered:
                self.leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private in the stubs
        finally:
            self.leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private in the stubs
        finally:
            self.leave_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private in the stubs
        finally:
            self.leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
