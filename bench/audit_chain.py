"""Benchmark: what the audit trail's hash chain costs per event, against the floor.

    .venv/bin/python bench/audit_chain.py [--events 5000] [--bulk 20000] [--threads 4] [--db sqlite|pg|both]

On a throwaway database (SQLite under /tmp, or a fresh PostgreSQL database on 127.0.0.1:5432),
migrated, it times in one process:

- the floor: the same events saved one by one (each in its own transaction, as a service does)
  with no chain: a bare `AuditEvent.save()`, then removed again;
- `audit_record` one by one: lock the chain's head, hash, insert, move the head;
- the floor for bulk: `bulk_create` of the same events, no chain;
- `audit_record_many` in batches of 1,000;
- on PostgreSQL, `--threads` writers appending at once (the head lock queues them), then
  `audit_verify` over everything, which must find the chain intact;
- `audit_verify` itself (events/s).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _burst import (  # noqa: E402 -- bench/ is first on sys.path, as for the other bursts
    drop_database,
    pg_admin,
    prepare_environment,
)


def run(db: str, n: int, bulk: int, threads: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-audit-"))
    sqlite_path = workdir / "bench.sqlite3"
    pg_name = f"peixun_bench_audit_{secrets.token_hex(4)}"
    if db == "pg":
        pg_admin("SELECT 1")  # fail early and clearly when no server answers
    prepare_environment(db, workdir, sqlite_path, pg_name)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from peixun.core.audit import audit_record, audit_record_many, audit_verify, build_event
    from peixun.core.models import AuditEvent

    def event(i: int) -> AuditEvent:
        return build_event(
            actor=None,
            verb="member.update",
            object_type="members.member",
            object_id=str(i),
            object_repr=f"党员 {i}",
            before={"mobile": "13800000001", "hours": "1.50"},
            after={"mobile": "13911112222", "hours": "2.00"},
        )

    def purge_all() -> None:
        with transaction.atomic():
            AuditEvent.objects.all()._purge()

    def rate(count: int, seconds: float) -> str:
        return f"{count / seconds:9.0f} events/s"

    try:
        call_command("migrate", verbosity=0)
        print(f"-- {db}: {n} single events, {bulk} in bulk")

        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                models_save = event(i)
                models_save.save()
        floor_single = time.perf_counter() - started
        purge_all()

        started = time.perf_counter()
        for i in range(n):
            audit_record(
                actor=None,
                verb="member.update",
                object_type="members.member",
                object_id=str(i),
                object_repr=f"党员 {i}",
                before={"mobile": "13800000001", "hours": "1.50"},
                after={"mobile": "13911112222", "hours": "2.00"},
            )
        chained_single = time.perf_counter() - started
        print(f"floor  (save, one transaction each):   {rate(n, floor_single)}")
        print(
            f"chain  (audit_record):                 {rate(n, chained_single)}"
            f"  ({chained_single / floor_single:.2f}x the floor's time)"
        )

        events = [event(i) for i in range(bulk)]
        started = time.perf_counter()
        with transaction.atomic():
            AuditEvent.objects.bulk_create(events, batch_size=1000)
            floor_bulk = time.perf_counter() - started
            transaction.set_rollback(True)

        events = [event(i) for i in range(bulk)]
        started = time.perf_counter()
        for start in range(0, bulk, 1000):
            audit_record_many(events[start : start + 1000])
        chained_bulk = time.perf_counter() - started
        print(f"floor  (bulk_create):                  {rate(bulk, floor_bulk)}")
        print(
            f"chain  (audit_record_many, 1,000/call): {rate(bulk, chained_bulk)}"
            f"  ({chained_bulk / floor_bulk:.2f}x the floor's time)"
        )

        if db == "pg" and threads > 1:
            per_thread = max(1, n // threads)
            errors: list[BaseException] = []

            def writer(t: int) -> None:
                try:
                    for i in range(per_thread):
                        audit_record(
                            actor=None,
                            verb="bench.concurrent",
                            object_type="t",
                            object_id=f"{t}-{i}",
                        )
                except BaseException as error:  # noqa: BLE001 -- reported below
                    errors.append(error)
                finally:
                    connections.close_all()

            pool = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
            started = time.perf_counter()
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            elapsed = time.perf_counter() - started
            print(
                f"chain  ({threads} concurrent writers):      "
                f"{rate(per_thread * threads, elapsed)}  errors: {len(errors)}"
            )
            if errors:
                raise errors[0]

        started = time.perf_counter()
        report = audit_verify()
        elapsed = time.perf_counter() - started
        print(f"verify (audit_verify, {report.checked} events):   {rate(report.checked, elapsed)}")
        assert report.ok, report.broken
        print("chain intact after every run")
    finally:
        connection.close()
        drop_database(db, sqlite_path, pg_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--bulk", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db", choices=("sqlite", "pg", "both"), default="sqlite")
    args = parser.parse_args()
    if args.db == "both":
        # Django is set up once per process: the second database runs in a child process.
        import subprocess

        for db in ("sqlite", "pg"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    db,
                    "--events",
                    str(args.events),
                    "--bulk",
                    str(args.bulk),
                    "--threads",
                    str(args.threads),
                ],
                check=True,
            )
        return
    run(args.db, args.events, args.bulk, args.threads)


if __name__ == "__main__":
    main()
