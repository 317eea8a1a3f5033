"""`manage.py rebuild_rollups [--check] [--year Y]`: prove the yearly rollup equals the ledger, or rebuild it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.hours.selectors import rollup_differences
from peixun.hours.services import rollup_rebuild

FIELDS = ("hours", "concentrated", "online", "entries", "concentrated_entries")
SHOWN = 50


class Command(BaseCommand):
    help = "Check (--check) or rebuild the yearly study-hour rollup from the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only compare; exit non-zero on a difference."
        )
        parser.add_argument("--year", type=int, default=None, help="Only this accounting year.")

    def handle(self, *args: Any, check: bool = False, year: int | None = None, **kw: Any) -> None:
        where = f"year {year}" if year is not None else "all years"
        if not check:
            rows = rollup_rebuild(year)
            self.stdout.write(f"Rebuilt the rollup for {where}: {rows} cells.")
            return
        differences = rollup_differences(year)
        if not differences:
            self.stdout.write(f"The rollup equals the ledger ({where}).")
            return
        for (member_id, cell_year, kind, topic), ledger, rollup in differences[:SHOWN]:
            self.stdout.write(
                f"member {member_id} year {cell_year} {kind}/{topic}: "
                f"ledger {self._cell(ledger)} rollup {self._cell(rollup)}"
            )
        if len(differences) > SHOWN:
            self.stdout.write(f"… and {len(differences) - SHOWN} more")
        raise CommandError(f"{len(differences)} rollup cells differ from the ledger ({where}).")

    @staticmethod
    def _cell(values: tuple | None) -> str:  # type: ignore[type-arg]
        if values is None:
            return "(none)"
        return " ".join(f"{name}={value}" for name, value in zip(FIELDS, values, strict=True))
