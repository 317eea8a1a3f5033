"""The floors of the benchmarks that sum the ledger: the year's per-member totals (total,
concentrated, online) as one raw SQL GROUP BY on the same database, and as the same GROUP BY in
an in-memory DuckDB table of the same rows. DuckDB's sqlite and postgres scanners are extensions
that need a download (impossible here), so the rows go through a CSV file; only the GROUP BY is
timed. Needs Django set up (`connection` is peixun's)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLUMNS = """member_id, SUM(hours), SUM(CASE WHEN concentrated THEN hours ELSE 0 END),
             SUM(CASE WHEN online THEN hours ELSE 0 END)"""


@dataclass
class Floors:
    raw_seconds: float
    raw_members: int
    duck_seconds: float
    duck_members: int
    export_seconds: float  # the CSV export and DuckDB load, not part of the floor


def ledger_floors(year: int, best_of: Callable[..., tuple[float, Any]], repeats: int = 3) -> Floors:
    import time

    import duckdb
    from django.db import connection

    from peixun.hours.models import CreditEntry

    table = connection.ops.quote_name(CreditEntry._meta.db_table)
    where = "WHERE year = %s AND state = 'confirmed'"

    def raw() -> int:
        with connection.cursor() as c:
            c.execute(f"SELECT {COLUMNS} FROM {table} {where} GROUP BY member_id", [year])  # noqa: S608 - our table
            return len(c.fetchall())

    raw_seconds, raw_members = best_of(raw, repeats)
    started = time.perf_counter()
    csv_path = Path(tempfile.mkdtemp(prefix="peixun-bench-duck-")) / "ledger.csv"
    with connection.cursor() as c, open(csv_path, "w", newline="") as f:
        c.execute(f"SELECT member_id, hours, concentrated, online FROM {table} {where}", [year])  # noqa: S608
        out = csv.writer(f)
        out.writerow(["member_id", "hours", "concentrated", "online"])
        while batch := c.fetchmany(200_000):
            out.writerows((m, h, int(bool(cc)), int(bool(o))) for m, h, cc, o in batch)
    duck = duckdb.connect(":memory:")
    duck.execute(
        "CREATE TABLE ledger AS SELECT member_id::INTEGER AS member_id, "
        "hours::DECIMAL(7,2) AS hours, concentrated::BOOLEAN AS concentrated, "
        f"online::BOOLEAN AS online FROM read_csv('{csv_path}', header=true)"
    )
    export_seconds = time.perf_counter() - started
    duck_seconds, duck_members = best_of(
        lambda: len(duck.execute(f"SELECT {COLUMNS} FROM ledger GROUP BY member_id").fetchall()),  # noqa: S608
        repeats,
    )
    duck.close()
    csv_path.unlink()
    csv_path.parent.rmdir()
    return Floors(raw_seconds, raw_members, duck_seconds, duck_members, export_seconds)
