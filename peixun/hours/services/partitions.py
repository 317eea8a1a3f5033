"""The ledger's yearly partitions on PostgreSQL (made by migration hours 0010; SQLite has none).

`partitions_ensure` runs daily as the job `hours.partitions`: it makes this year's and next
year's partitions of each partitioned table before any line of those years is written, so rows
land in DEFAULT only for years far outside (an import of old records, say). When DEFAULT holds
rows of a year, that year gets its partition and the rows move into it, in one transaction.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor

# The tables hours 0010 partitions by year.
PARTITIONED_TABLES = (
    "hours_creditentry",
    "hours_yearlyrollup",
    "hours_memberyeartotal",
    "hours_membermonthtotal",
)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table])
        return cursor.fetchone() is not None


def _partition_years(cursor: CursorWrapper, table: str) -> set[int]:
    """The years that have a partition of their own (from each partition's bound)."""
    cursor.execute(
        """
        SELECT pg_get_expr(c.relpartbound, c.oid)
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = %s::regclass
        """,
        [table],
    )
    years = set()
    for (bound,) in cursor.fetchall():
        # "FOR VALUES FROM ('2026') TO ('2027')", or "DEFAULT"
        if bound.startswith("FOR VALUES FROM"):
            years.add(int(bound.split("(")[1].split(")")[0].strip("'")))
    return years


def partitions_ensure(*, actor: Actor | None = None, years: list[int] | None = None) -> list[str]:
    """Make the partitions of `years` (default: this year and the next) that are missing, and
    move any rows of a year out of DEFAULT into the partition made for it; also a year found in
    DEFAULT. Returns the partitions made ("hours_creditentry_y2027", …); none on SQLite."""
    if connection.vendor != "postgresql":
        return []
    this_year = timezone.localdate().year
    wanted = set(years or [this_year, this_year + 1])
    made: list[str] = []
    with transaction.atomic():
        for table in PARTITIONED_TABLES:
            if not is_partitioned(table):
                continue
            default = f"{table}_default"
            with connection.cursor() as cursor:
                have = _partition_years(cursor, table)
                cursor.execute(f"SELECT DISTINCT year FROM {_quoted(default)}")  # noqa: S608 - ours
                stranded = {row[0] for row in cursor.fetchall()}
                for year in sorted((wanted | stranded) - have):
                    name = f"{table}_y{year}"
                    if year in stranded:
                        # ATTACH would refuse while DEFAULT still holds rows of the year: make
                        # the table, move the rows into it, then attach it.
                        cursor.execute(
                            f"CREATE TABLE {_quoted(name)} (LIKE {_quoted(table)} "
                            "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                        )
                        cursor.execute(
                            f"WITH moved AS (DELETE FROM {_quoted(default)} WHERE year = %s "  # noqa: S608
                            f"RETURNING *) INSERT INTO {_quoted(name)} SELECT * FROM moved",
                            [year],
                        )
                        cursor.execute(
                            f"ALTER TABLE {_quoted(table)} ATTACH PARTITION {_quoted(name)} "
                            f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"
                        )
                    else:
                        cursor.execute(
                            f"CREATE TABLE {_quoted(name)} PARTITION OF {_quoted(table)} "
                            f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"
                        )
                    made.append(name)
        if made:
            audit_record(
                actor=actor,
                verb="hours.partitions_made",
                object_repr=", ".join(made),
                after={"partitions": made},
            )
    return made


def partitions_overview() -> list[tuple[str, str, int]]:
    """(table, partition, estimated rows) of each partitioned table, by table then partition;
    empty on SQLite or before hours 0010."""
    if connection.vendor != "postgresql":
        return []
    rows: list[tuple[str, str, int]] = []
    with connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            cursor.execute(
                """
                SELECT c.relname, GREATEST(c.reltuples, 0)::bigint
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = %s::regclass ORDER BY c.relname
                """,
                [table],
            )
            rows.extend((table, name, int(estimate)) for name, estimate in cursor.fetchall())
    return rows
