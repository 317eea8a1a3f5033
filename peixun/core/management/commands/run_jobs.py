"""`manage.py run_jobs [--once] [--seconds N]`: run the registered periodic jobs on schedule.

Each job runs at start and then every `job.every`; a failing job is logged and retried at its
next turn. `--once` runs every job once and exits (for cron or a check); `--seconds N` stops
after N seconds (tests, a bounded demo).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.core.jobs import job_run, registered_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs the apps register (warnings, reminders, exam autosubmit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each job once and exit")
        parser.add_argument("--seconds", type=float, default=0, help="stop after this long")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = registered_jobs()
        if options["once"]:
            failed = [job.name for job in jobs if not job_run(job)]
            self.stdout.write(f"{len(jobs) - len(failed)} job(s) ran, {len(failed)} failed")
            if failed:
                raise CommandError(f"failed: {', '.join(failed)} (see the log)")
            return
        started = time.monotonic()
        due = dict.fromkeys((job.name for job in jobs), started)
        while not options["seconds"] or time.monotonic() - started < options["seconds"]:
            now = time.monotonic()
            for job in jobs:
                if now >= due[job.name]:
                    job_run(job)
                    due[job.name] = time.monotonic() + job.every.total_seconds()
            # Wake for the next due job, at least once a minute so a stop is noticed.
            wait = min(due.values()) - time.monotonic()
            time.sleep(max(0.5, min(wait, 60.0)))
