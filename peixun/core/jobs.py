"""Periodic jobs, run by the task worker (django-tasks, database backend).

Each app registers its jobs in `AppConfig.ready()` (core imports no app). `manage.py run_jobs`
is the scheduler: every few seconds it writes one `JobRun` per job and period that has come
due and enqueues it; `manage.py db_worker` runs it (`job_execute`). So:

- **idempotent**: a run is unique per (job, period); two schedulers, a restart or a retried
  task never run a period twice once it is done, and the jobs themselves are written to be
  harmless when repeated (warnings once per member and window, reminders once per meeting …);
- **retried**: a failure is recorded with its error and enqueued again after 1, 2, 4 … minutes,
  up to `MAX_ATTEMPTS` attempts, then left failed;
- **visible**: the jobs page (platform admins) and `manage.py jobs_status` show each job's last
  runs, their state, attempts, result and error, and the tasks waiting in the queue.

`run_jobs --once` runs every job at once in its own process (for cron, or a check), recording
runs the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("peixun.jobs")

MAX_ATTEMPTS = 3
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


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


def job_slot(job: Job, now: dt.datetime) -> dt.datetime:
    """The start of the period `now` falls in: periods are counted from 2000-01-01 UTC."""
    period = job.every.total_seconds()
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + dt.timedelta(seconds=int(elapsed // period) * period)


def jobs_schedule(*, now: dt.datetime | None = None) -> list[int]:
    """Write and enqueue the run of every job whose current period has none yet; the ids of
    the runs enqueued now (none when another scheduler got there first)."""
    from .models import JobRun  # the apps import this module before the app registry is ready

    now = now or timezone.now()
    enqueued: list[int] = []
    for job in registered_jobs():
        try:
            with transaction.atomic():
                run, created = JobRun.objects.get_or_create(name=job.name, slot=job_slot(job, now))
        except IntegrityError:
            continue  # another scheduler wrote it between our read and our insert
        if created:
            transaction.on_commit(partial(job_execute.enqueue, run.pk))
            enqueued.append(run.pk)
    return enqueued


def _claim(run_id: int) -> tuple[Job | None, bool]:
    """Mark the run as running; (its job, whether to go on)."""
    from .models import JobRun  # the apps import this module before the app registry is ready

    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state in (JobRun.State.DONE, JobRun.State.RUNNING):
            return None, False
        job = _jobs.get(run.name)
        run.attempts += 1
        run.started_at = timezone.now()
        if job is None:
            run.state, run.error = JobRun.State.FAILED, "no such job is registered"
            run.finished_at = run.started_at
            run.save(update_fields=["attempts", "state", "error", "started_at", "finished_at"])
            return None, False
        run.state = JobRun.State.RUNNING
        run.save(update_fields=["attempts", "state", "started_at"])
        return job, True


def job_execute_run(run_id: int, *, retry: bool = True) -> bool:
    """Run one recorded run of a job; True when it succeeded (or was already done).

    A failure is recorded and, while attempts remain, enqueued again after a pause."""
    from .models import JobRun  # the apps import this module before the app registry is ready

    job, go = _claim(run_id)
    if not go or job is None:
        return JobRun.objects.filter(pk=run_id, state=JobRun.State.DONE).exists()
    try:
        result = job.run()
    except Exception:
        logger.exception("job %s failed", job.name)
        run = JobRun.objects.get(pk=run_id)
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = timezone.now()
        if retry and run.attempts < MAX_ATTEMPTS:
            run.state = JobRun.State.RETRYING
            pause = dt.timedelta(minutes=2 ** (run.attempts - 1))
            job_execute.using(run_after=run.finished_at + pause).enqueue(run_id)
        else:
            run.state = JobRun.State.FAILED
        run.save(update_fields=["error", "finished_at", "state"])
        return False
    logger.info("job %s done: %.200s", job.name, result)
    JobRun.objects.filter(pk=run_id).update(
        state=JobRun.State.DONE,
        result=str(result or "")[:300],
        error="",
        finished_at=timezone.now(),
    )
    return True


RUNS_KEPT = dt.timedelta(days=30)
TASKS_KEPT = dt.timedelta(days=7)


def jobs_prune(*, now: dt.datetime | None = None) -> str:
    """Drop job runs older than a month and finished tasks older than a week."""
    from django_tasks.base import TaskResultStatus  # models: after the app registry
    from django_tasks_db.models import DBTaskResult  # models: after the app registry

    from .models import JobRun  # the apps import this module before the app registry is ready

    now = now or timezone.now()
    runs, _ = JobRun.objects.filter(
        slot__lt=now - RUNS_KEPT, state__in=[JobRun.State.DONE, JobRun.State.FAILED]
    ).delete()
    tasks, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - TASKS_KEPT,
    ).delete()
    return f"{runs} job runs and {tasks} finished tasks dropped"


def job_run(job: Job) -> bool:
    """Run one job now in this process (`run_jobs --once`), recorded as a run of this moment;
    a failure is logged and recorded, never raised, so the others go on."""
    from .models import JobRun  # the apps import this module before the app registry is ready

    run = JobRun.objects.create(name=job.name, slot=timezone.now())
    return job_execute_run(run.pk, retry=False)


@task()
def job_execute(run_id: int) -> None:
    """The worker's task: one recorded run of a periodic job."""
    job_execute_run(run_id)
