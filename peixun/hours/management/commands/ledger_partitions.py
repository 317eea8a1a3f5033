"""`manage.py ledger_partitions [--ensure] [--year Y ...]`: the ledger's yearly partitions.

Lists each partitioned table's partitions with PostgreSQL's estimate of their rows. `--ensure`
first makes the missing ones (this year's and next year's, or the `--year`s given), as the daily
job `hours.partitions` does. Nothing to do on SQLite, which keeps plain tables.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from peixun.hours.services import partitions_ensure, partitions_overview


class Command(BaseCommand):
    help = "List the ledger's yearly partitions (PostgreSQL); --ensure makes the missing ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ensure", action="store_true", help="make missing partitions first")
        parser.add_argument("--year", type=int, action="append", help="a year to ensure (repeat)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite: the ledger is not partitioned.")
            return
        if options["ensure"] or options["year"]:
            made = partitions_ensure(actor=None, years=options["year"])
            self.stdout.write(f"made: {', '.join(made)}" if made else "made: none (all there)")
        for table, partition, rows in partitions_overview():
            self.stdout.write(f"{table:<26} {partition:<36} ~{rows:,} rows")
