"""The import's background tasks (django-tasks): enqueued by the services, run by the worker
(`manage.py db_worker`); each only calls the service function that does the work."""

from __future__ import annotations

from django_tasks import task

from .apply import import_apply_run
from .check import import_check_run


@task()
def import_check(batch_id: int) -> None:
    import_check_run(batch_id)


@task()
def import_apply(batch_id: int, user_id: int) -> None:
    import_apply_run(batch_id, user_id)
