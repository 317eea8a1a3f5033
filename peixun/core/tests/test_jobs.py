"""Periodic jobs on the task worker: one run per job and period, retried, visible to operators."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from peixun.core import jobs
from peixun.core.models import JobRun
from peixun.core.selectors import jobs_overview
from peixun.testing import PersonaTestCase

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
NOON = dt.datetime(2026, 6, 1, 12, 0, 30, tzinfo=dt.UTC)


@pytest.fixture
def fresh_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    monkeypatch.setattr(jobs, "_jobs", {})
    yield calls


class RunJobsTests(PersonaTestCase):
    def test_the_apps_register_their_jobs(self) -> None:
        names = {job.name for job in jobs.registered_jobs()}
        self.assertLessEqual({"hours.warnings", "orglife.reminders", "exams.autosubmit"}, names)

    def test_once_runs_every_job_and_records_it(self) -> None:
        out = io.StringIO()
        call_command("run_jobs", "--once", stdout=out)
        ran = len(jobs.registered_jobs())
        self.assertIn(f"{ran} job(s) ran, 0 failed", out.getvalue())
        self.assertEqual(JobRun.objects.filter(state=JobRun.State.DONE).count(), ran)

    def test_the_jobs_page_is_for_the_platforms_operators(self) -> None:
        call_command("run_jobs", "--once", stdout=io.StringIO())
        url = reverse("core:jobs")
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        client = self.client
        client.force_login(self.world.platform_admin)
        page = client.get(url)
        self.assertContains(page, "hours.warnings")
        self.assertContains(page, 'id="task-queue"')


def test_a_failing_job_stops_none_of_the_others(fresh_jobs: list[str], db: None) -> None:
    def broken() -> None:
        fresh_jobs.append("broken")
        raise RuntimeError("boom")

    jobs.register_job("a.broken", every=dt.timedelta(minutes=1), run=broken)
    jobs.register_job(
        "b.fine", every=dt.timedelta(minutes=1), run=lambda: fresh_jobs.append("fine")
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="a.broken"):
        call_command("run_jobs", "--once", stdout=out)
    assert fresh_jobs == ["broken", "fine"]
    assert "1 job(s) ran, 1 failed" in out.getvalue()
    failed = JobRun.objects.get(name="a.broken")
    assert failed.state == JobRun.State.FAILED and "RuntimeError: boom" in failed.error


def test_the_slot_is_the_start_of_the_period() -> None:
    job = jobs.Job("x", dt.timedelta(minutes=10), lambda: None)
    assert jobs.job_slot(job, NOON) == dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    day = jobs.Job("y", dt.timedelta(days=1), lambda: None)
    assert jobs.job_slot(day, NOON) == dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


class ScheduleOnTheWorkerTests(TestCase):
    """The scheduler enqueues on the database backend; the worker runs, retries, never twice."""

    def setUp(self) -> None:
        self.calls: list[str] = []
        self.saved = dict(jobs._jobs)
        jobs._jobs.clear()
        self.fail_times = 1

        def flaky() -> str:
            self.calls.append("flaky")
            if self.fail_times > 0:
                self.fail_times -= 1
                raise RuntimeError("database went away")
            return "sent 3 warnings"

        jobs.register_job("t.flaky", every=dt.timedelta(days=1), run=flaky)
        jobs.register_job("t.fine", every=dt.timedelta(minutes=1), run=lambda: "ok")

    def tearDown(self) -> None:
        jobs._jobs.clear()
        jobs._jobs.update(self.saved)

    def work(self) -> None:
        # The worker closes old connections between tasks, which would end the test's transaction
        # on PostgreSQL; in a real worker each task has its own.
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command(
                "db_worker", "--batch", "--no-reload", stdout=io.StringIO(), stderr=io.StringIO()
            )

    @override_settings(TASKS=DB_TASKS)
    def test_one_run_per_period_whoever_schedules_and_a_failure_is_retried(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first = jobs.jobs_schedule(now=NOON)
        with self.captureOnCommitCallbacks(execute=True):
            again = jobs.jobs_schedule(now=NOON + dt.timedelta(seconds=20))
        self.assertEqual(len(first), 2)
        self.assertEqual(again, [])  # same periods: nothing new
        self.assertEqual(DBTaskResult.objects.count(), 2)
        self.work()
        flaky = JobRun.objects.get(name="t.flaky")
        self.assertEqual(flaky.state, JobRun.State.RETRYING)
        self.assertIn("database went away", flaky.error)
        self.assertEqual(JobRun.objects.get(name="t.fine").state, JobRun.State.DONE)
        # The retry waits a minute; bring it forward instead of sleeping.
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.run_after is not None and flaky.finished_at is not None
        self.assertGreater(waiting.run_after, flaky.finished_at)
        DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=flaky.finished_at)
        self.work()
        flaky.refresh_from_db()
        self.assertEqual(
            (flaky.state, flaky.attempts, flaky.result), ("done", 2, "sent 3 warnings")
        )
        self.assertEqual(self.calls, ["flaky", "flaky"])
        # A stray second task of a done run does nothing.
        jobs.job_execute.enqueue(flaky.pk)
        self.work()
        self.assertEqual(self.calls, ["flaky", "flaky"])
        overview = jobs_overview()
        last = {row.name: row.last for row in overview.jobs}
        self.assertEqual(last["t.flaky"].state, "done")  # type: ignore[union-attr]
        self.assertEqual(overview.tasks_ready, 0)

    @override_settings(TASKS=DB_TASKS)
    def test_a_job_failing_every_time_stops_after_the_last_attempt(self) -> None:
        self.fail_times = 99
        with self.captureOnCommitCallbacks(execute=True):
            jobs.jobs_schedule(now=NOON)
        for _ in range(jobs.MAX_ATTEMPTS):
            DBTaskResult.objects.filter(status="READY").update(run_after=NOON)
            self.work()
        flaky = JobRun.objects.get(name="t.flaky")
        self.assertEqual((flaky.state, flaky.attempts), ("failed", jobs.MAX_ATTEMPTS))
        self.assertFalse(DBTaskResult.objects.filter(status="READY").exists())
        out = io.StringIO()
        call_command("jobs_status", "--failed", stdout=out)
        self.assertIn("t.flaky", out.getvalue())
        self.assertNotIn("t.fine", out.getvalue())


def test_old_runs_and_finished_tasks_are_pruned(db: None) -> None:
    old = JobRun.objects.create(name="x", slot=NOON - dt.timedelta(days=40), state="done")
    kept = JobRun.objects.create(name="x", slot=NOON - dt.timedelta(days=3), state="done")
    stuck = JobRun.objects.create(name="y", slot=NOON - dt.timedelta(days=40), state="retrying")
    assert "1 job runs" in jobs.jobs_prune(now=NOON)
    assert set(JobRun.objects.values_list("pk", flat=True)) == {kept.pk, stuck.pk}
    assert old.pk not in set(JobRun.objects.values_list("pk", flat=True))
