"""peixun.core.sqlite: on a database file, writers queue on the kernel lock beside it (a
transaction from its BEGIN to its COMMIT or ROLLBACK, a write outside a transaction for its one
statement); readers never wait for it; many writers at once lose nothing."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from peixun.core.sqlite.base import DatabaseWrapper

WAIT = 10.0  # seconds a thread may take to do what the test waits for; far above the need


def wrapper_for(path: Path, alias: str) -> DatabaseWrapper:
    settings = {
        **connection.settings_dict,
        "ENGINE": "peixun.core.sqlite",
        "NAME": str(path),
        "TEST": {},
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
    return DatabaseWrapper(settings, alias=alias)


class HeldElsewhere:
    """The writers' lock taken through another open file, as another process would take it."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600)

    def take(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def free(self) -> bool:
        """Whether nobody holds the lock (taking and releasing it at once when free)."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        return True

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self.fd)


class SqliteQueueTests(TransactionTestCase):
    # Only to be let past pytest-django's guard on database access: the tests use their own files.
    databases = {"default"}

    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "queue.sqlite3"
        self.db = wrapper_for(self.path, "queue_main")
        with self.db.cursor() as cursor:
            cursor.execute("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
            cursor.execute("INSERT INTO tally (n) VALUES (0)")
        self.other = HeldElsewhere(self.path)

    def tearDown(self) -> None:
        self.db.close()
        self.other.close()
        self.dir.cleanup()

    def rows(self) -> list[Any]:
        with self.db.cursor() as cursor:
            cursor.execute("SELECT n FROM tally ORDER BY id")
            return [n for (n,) in cursor.fetchall()]

    def test_a_transaction_holds_the_queue_until_commit_or_rollback(self) -> None:
        self.assertTrue(self.other.free())
        self.db._start_transaction_under_autocommit()
        self.assertFalse(self.other.free())
        with self.db.cursor() as cursor:
            cursor.execute("UPDATE tally SET n = n + 1")
        self.db._commit()
        self.assertTrue(self.other.free())
        self.assertEqual(self.rows(), [1])
        self.db._start_transaction_under_autocommit()
        with self.db.cursor() as cursor:
            cursor.execute("UPDATE tally SET n = 99")
        self.db._rollback()
        self.assertTrue(self.other.free())
        self.assertEqual(self.rows(), [1])

    def test_a_write_outside_a_transaction_waits_in_the_queue_and_a_read_does_not(self) -> None:
        self.other.take()
        done = threading.Event()
        failures: list[BaseException] = []

        def write() -> None:
            db = wrapper_for(self.path, "queue_writer")
            try:
                with db.cursor() as cursor:
                    cursor.execute("UPDATE tally SET n = 7")
            except BaseException as error:  # reported by the test below
                failures.append(error)
            finally:
                db.close()
                done.set()

        writer = threading.Thread(target=write)
        writer.start()
        try:
            # A reader goes on while the lock is held...
            self.assertEqual(self.rows(), [0])
            # ...while the writer still waits for it.
            self.assertFalse(done.wait(0.5))
            self.assertEqual(self.rows(), [0])
        finally:
            self.other.release()
        self.assertTrue(done.wait(WAIT))
        writer.join()
        self.assertEqual(failures, [])
        self.assertEqual(self.rows(), [7])
        self.assertTrue(self.other.free())

    def test_many_writers_at_once_lose_nothing(self) -> None:
        writers, each = 4, 40
        failures: list[BaseException] = []

        def work(k: int) -> None:
            db = wrapper_for(self.path, f"queue_{k}")
            try:
                db.ensure_connection()  # as `atomic` does before it begins
                for _ in range(each):
                    db._start_transaction_under_autocommit()
                    with db.cursor() as cursor:
                        cursor.execute("SELECT n FROM tally WHERE id = 1")
                        (n,) = cursor.fetchone()
                        cursor.execute("UPDATE tally SET n = %s WHERE id = 1", [n + 1])
                        cursor.execute("INSERT INTO tally (n) VALUES (%s)", [-k])
                    db._commit()
            except BaseException as error:  # reported by the test below
                failures.append(error)
            finally:
                db.close()

        threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 3)
        self.assertEqual(failures, [])
        rows = self.rows()
        # Every read-then-write counted once: no update was lost between the SELECT and UPDATE.
        self.assertEqual(rows[0], writers * each)
        self.assertEqual(len(rows), 1 + writers * each)
        self.assertTrue(self.other.free())

    def test_closing_the_connection_leaves_the_queue(self) -> None:
        self.db._start_transaction_under_autocommit()
        self.assertFalse(self.other.free())
        self.db.close()
        self.assertTrue(self.other.free())

    def test_a_database_in_memory_has_no_queue(self) -> None:
        memory = wrapper_for(Path(":memory:"), "queue_memory")
        try:
            self.assertFalse(memory.enter_queue())
            with memory.cursor() as cursor:
                cursor.execute("CREATE TABLE t (n INTEGER)")
                cursor.execute("INSERT INTO t VALUES (1)")
        finally:
            memory.close()
        self.assertFalse(Path(":memory:.writers").exists())


class ConvertedQueryTests(TransactionTestCase):
    """The %s → ? rewrite kept per statement gives what Django's gives, a literal %% included,
    for short and long statements and for named parameters."""

    def test_the_kept_rewrite_is_django_s(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's cursor only")
        with connection.cursor() as cursor:
            for _ in range(2):  # the second time from the kept rewrite
                cursor.execute("SELECT '100%%', %s, %s", [1, "a%s"])
                self.assertEqual(cursor.fetchone(), ("100%", 1, "a%s"))
            long = (
                "SELECT count(*) FROM (SELECT 1 AS n) WHERE n IN (" + ", ".join(["%s"] * 1500) + ")"
            )
            cursor.execute(long, list(range(1500)))
            self.assertEqual(cursor.fetchone(), (1,))
            cursor.execute("SELECT %(a)s, %(b)s", {"a": 1, "b": 2})
            self.assertEqual(cursor.fetchone(), (1, 2))
