"""The ledger and its rollups partitioned by year on PostgreSQL (SQLite unchanged).

Each table becomes `PARTITION BY RANGE (year)` with one partition per year found in it, the years
around today's, and a DEFAULT partition for anything else; `hours.partitions` (a daily job)
creates the coming year's ahead of time and moves a year out of DEFAULT if rows ever land there.
A year's figures then read one partition, and a closed year's partition can be vacuumed and
frozen once and then left alone.

On PostgreSQL a partitioned table's primary key and unique constraints must include the partition
key: the keys become (id, year), and the ledger's `reverses` uniqueness (reverses, year) — the
same rule, since a reversal keeps the year of the line it reverses. Nothing may point at a
partitioned id with a foreign key, so the four references to ledger lines lost theirs first
(hours 0009, learning 0006); the services write them from rows they have just read.

The existing rows are copied in the migration (one INSERT … SELECT per table, inside its
transaction: 55 s for 1.9 million lines on a 2-core machine, so take it in a maintenance
window). It runs backwards too, to plain tables.

Written out here rather than imported, so that later changes to the app cannot change what this
migration did. Indexes, checks and foreign keys are read from the catalogue and recreated with
their names, so Django's later migrations find them as they left them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations

TABLES = ("hours_creditentry", "hours_yearlyrollup", "hours_memberyeartotal", "hours_membermonthtotal")
# Unique constraints that gain the year here (and lose it again backwards).
GAINS_YEAR = {"hours_creditentry_reverses_id_key"}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _catalogue(cursor: Any, table: str) -> tuple[list[str], list[tuple[str, str, str, bool]]]:
    """The table's plain indexes (their CREATE statements) and its primary key, unique and
    foreign-key constraints (name, type, definition, whether it points at the table itself)."""
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indexrelid
        """,
        [table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid), confrelid = conrelid
        FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')
        ORDER BY contype, conname
        """,
        [table],
    )
    return indexes, list(cursor.fetchall())


def _copy(cursor: Any, table: str, source: str) -> None:
    cursor.execute(f"INSERT INTO {q(table)} SELECT * FROM {q(source)}")  # noqa: S608 - our tables
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - our tables
        f"COALESCE((SELECT MAX(id) FROM {q(table)}), 0) + 1, false)",
        [table],
    )


def _restore(
    cursor: Any,
    table: str,
    indexes: list[str],
    constraints: list[tuple[str, str, str, bool]],
    *,
    partitioned: bool,
) -> None:
    for name, kind, definition, to_itself in constraints:
        if kind == "f" and to_itself:
            continue  # the ledger's self-reference has no key any more (0009)
        if kind == "p":
            definition = "PRIMARY KEY (id, year)" if partitioned else "PRIMARY KEY (id)"
        elif kind == "u" and name in GAINS_YEAR:
            columns = definition[definition.index("(") + 1 : definition.rindex(")")]
            columns = ", ".join(c for c in columns.split(", ") if c != "year")
            definition = f"UNIQUE ({columns}, year)" if partitioned else f"UNIQUE ({columns})"
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
    for statement in indexes:
        cursor.execute(statement.replace(" ON ONLY ", " ON "))


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    this_year = dt.date.today().year
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            indexes, constraints = _catalogue(cursor, table)
            plain = f"{table}__plain"
            cursor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(plain)}")
            cursor.execute(
                f"CREATE TABLE {q(table)} (LIKE {q(plain)} INCLUDING DEFAULTS INCLUDING "
                "CONSTRAINTS INCLUDING IDENTITY) PARTITION BY RANGE (year)"
            )
            cursor.execute(f"SELECT DISTINCT year FROM {q(plain)}")  # noqa: S608 - our tables
            years = {row[0] for row in cursor.fetchall()} | {this_year - 1, this_year, this_year + 1}
            for year in sorted(years):
                cursor.execute(
                    f"CREATE TABLE {q(f'{table}_y{year}')} PARTITION OF {q(table)} "
                    f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"
                )
            cursor.execute(f"CREATE TABLE {q(f'{table}_default')} PARTITION OF {q(table)} DEFAULT")
            _copy(cursor, table, plain)
            # Also drops the keys that pointed at the old table (0009 and learning 0006 took
            # them out of Django's model already).
            cursor.execute(f"DROP TABLE {q(plain)} CASCADE")
            _restore(cursor, table, indexes, constraints, partitioned=True)
            # New tables have no statistics: without them the planner scans a year's partition
            # for one member's lines (seen: 1 s instead of 1 ms at 2 million lines).
            cursor.execute(f"ANALYZE {q(table)}")


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            indexes, constraints = _catalogue(cursor, table)
            parted = f"{table}__parted"
            cursor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(parted)}")
            cursor.execute(
                f"CREATE TABLE {q(table)} (LIKE {q(parted)} INCLUDING DEFAULTS INCLUDING "
                "CONSTRAINTS INCLUDING IDENTITY)"
            )
            _copy(cursor, table, parted)
            cursor.execute(f"DROP TABLE {q(parted)} CASCADE")
            _restore(cursor, table, indexes, constraints, partitioned=False)
            cursor.execute(f"ANALYZE {q(table)}")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("hours", "0009_ledger_references_unconstrained"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
