"""Periodic jobs: each app registers its own in `AppConfig.ready()` (core imports no app), and
`manage.py run_jobs` runs them on their schedule beside the web server (`make run` starts it;
in production run it as its own service, or call the apps' commands from cron).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("peixun.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


_jobs: dict[str, Job] = {}


def register_job(name: str, *, every: dt.timedelta, run: Callable[[], object]) -> None:
    _jobs[name] = Job(name=name, every=every, run=run)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def job_run(job: Job) -> bool:
    """Run one job; a failure is logged and reported, never raised, so the others go on."""
    try:
        result = job.run()
    except Exception:
        logger.exception("job %s failed", job.name)
        return False
    logger.info("job %s done: %.200s", job.name, result)
    return True
