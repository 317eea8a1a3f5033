"""What the benchmarks that build a tenant share: timing (best of N after a warm-up, once) and
the PostgreSQL admin calls that create and drop their databases."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def best_of(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    result = fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def tenant_arguments(description: str | None, *, entries: int) -> argparse.Namespace:
    """The options of a benchmark that builds a tenant: which database, its size, --keep."""
    p = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument("--branches", type=int, default=5_000)
    p.add_argument("--entries", type=int, default=entries)
    p.add_argument("--keep", action="store_true", help="keep the database and reuse it next run")
    return p.parse_args()
