"""`manage.py jobs_status [--failed]`: each periodic job's last run, and the task queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peixun.core.selectors import jobs_overview


class Command(BaseCommand):
    help = "Show each periodic job's last run (state, attempts, result or error) and the queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="only jobs whose last run failed")

    def handle(self, *args: Any, **options: Any) -> None:
        overview = jobs_overview()
        for row in overview.jobs:
            last = row.last
            if options["failed"] and (last is None or last.state != "failed"):
                continue
            if last is None:
                self.stdout.write(f"{row.name:28} never run (every {row.every})")
                continue
            line = (
                f"{row.name:28} {last.state:9} attempts {last.attempts}  "
                f"period {last.slot:%Y-%m-%d %H:%M}  {last.result or last.error.splitlines()[-1:]}"
            )
            self.stdout.write(line)
        self.stdout.write(
            f"tasks waiting: {overview.tasks_ready}, running: {overview.tasks_running}, "
            f"failed in the last day: {overview.tasks_failed_recently}"
        )
