"""`manage.py run_jobs [--once] [--seconds N] [--interval S]`: the periodic jobs' scheduler.

Every `--interval` seconds (5) it writes and enqueues the run of each job whose period has
come due (`core.jobs.jobs_schedule`); the task worker (`manage.py db_worker`) runs them, with
retries. `--once` runs every job at once in this process instead (for cron, or a check) and
exits non-zero if one failed; `--seconds N` stops after N seconds (tests, a bounded demo).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.core.jobs import job_run, jobs_schedule, registered_jobs


class Command(BaseCommand):
    help = "Schedule the periodic jobs the apps register (the task worker runs them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each job now and exit")
        parser.add_argument("--seconds", type=float, default=0, help="stop after this long")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between looks")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            jobs = registered_jobs()
            failed = [job.name for job in jobs if not job_run(job)]
            self.stdout.write(f"{len(jobs) - len(failed)} job(s) ran, {len(failed)} failed")
            if failed:
                raise CommandError(f"failed: {', '.join(failed)} (see the log)")
            return
        started = time.monotonic()
        while not options["seconds"] or time.monotonic() - started < options["seconds"]:
            enqueued = jobs_schedule()
            if enqueued and options["verbosity"] > 1:
                self.stdout.write(f"enqueued {len(enqueued)} job run(s)")
            time.sleep(max(0.5, options["interval"]))
