from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peixun.core.scoping import Actor

from .jobs import registered_jobs
from .models import AuditEvent, JobRun


def audit_list(
    *,
    actor: Actor,
    actor_q: str = "",
    object_q: str = "",
    verb: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(actor).select_related("actor", "actor__member", "org")
    if actor_q:
        qs = qs.filter(Q(actor__username=actor_q.strip()) | Q(actor__member__name=actor_q.strip()))
    if object_q:
        text = object_q.strip()
        qs = qs.filter(Q(object_repr__contains=text) | Q(object_id=text) | Q(object_type=text))
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


@dataclass(frozen=True)
class JobRow:
    name: str
    every: dt.timedelta
    last: JobRun | None
    recent: list[JobRun]


@dataclass(frozen=True)
class JobsOverview:
    jobs: list[JobRow]
    tasks_ready: int
    tasks_running: int
    tasks_failed_recently: int


RECENT_RUNS = 5


def jobs_overview() -> JobsOverview:
    """Every registered job with its last runs, and the task queue's counts (for operators:
    the jobs page and `manage.py jobs_status`); three queries whatever the number of jobs."""
    jobs = registered_jobs()
    names = [job.name for job in jobs]
    ranked = (
        JobRun.objects.filter(name__in=names)
        .annotate(rank=Window(RowNumber(), partition_by=[F("name")], order_by=F("slot").desc()))
        .filter(rank__lte=RECENT_RUNS)
        .order_by("name", "-slot")
    )
    by_name: dict[str, list[JobRun]] = {}
    for run in ranked:
        by_name.setdefault(run.name, []).append(run)
    day_ago = timezone.now() - dt.timedelta(days=1)
    counts = DBTaskResult.objects.aggregate(
        ready=Count("id", filter=Q(status=TaskResultStatus.READY)),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("id", filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=day_ago)),
    )
    return JobsOverview(
        jobs=[
            JobRow(
                name=job.name,
                every=job.every,
                last=by_name[job.name][0] if by_name.get(job.name) else None,
                recent=by_name.get(job.name, []),
            )
            for job in jobs
        ],
        tasks_ready=counts["ready"] or 0,
        tasks_running=counts["running"] or 0,
        tasks_failed_recently=counts["failed"] or 0,
    )
