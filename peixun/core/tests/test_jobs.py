"""Periodic jobs: the apps register theirs, `run_jobs --once` runs them, a failure stops none."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from peixun.core import jobs
from peixun.testing import PersonaTestCase


class RunJobsTests(PersonaTestCase):
    def test_the_apps_register_their_jobs(self) -> None:
        names = {job.name for job in jobs.registered_jobs()}
        self.assertLessEqual({"hours.warnings", "orglife.reminders", "exams.autosubmit"}, names)

    def test_once_runs_every_job(self) -> None:
        out = io.StringIO()
        call_command("run_jobs", "--once", stdout=out)
        ran = len(jobs.registered_jobs())
        self.assertIn(f"{ran} job(s) ran, 0 failed", out.getvalue())


def test_a_failing_job_stops_none_of_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "_jobs", {})
    jobs.register_job("a.broken", every=dt.timedelta(minutes=1), run=broken)
    jobs.register_job("b.fine", every=dt.timedelta(minutes=1), run=lambda: calls.append("fine"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="a.broken"):
        call_command("run_jobs", "--once", stdout=out)
    assert calls == ["broken", "fine"]
    assert "1 job(s) ran, 1 failed" in out.getvalue()
