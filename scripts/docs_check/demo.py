"""The demo's objects the table's routes need, looked up once in the scratch database; the two a
fresh demo lacks (an issued 学时证明, a report draft) are made through their own pages, as the
org admin would make them. Import it once Django is set up on the scratch database."""

from __future__ import annotations

import functools
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peixun.accounts.models import User
from peixun.demo.needs import fill_needs
from peixun.events.models import Event
from peixun.exams.models import Exam
from peixun.hours.models import HoursCertificate
from peixun.learning.models import OnlineClass, ReadingList
from peixun.orglife.models import NoteCheckRound
from peixun.orgs.models import Organization
from peixun.plans.models import TrainingPlan
from peixun.resources.models import Site
from peixun.surveys.models import Contest, Survey
from peixun.training.models import Enrolment, TrainingClass
from peixun.training.selectors.closing import certificate_facts


class DemoError(RuntimeError):
    pass


class Demo:
    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(username__in=LOGINS)}
        self.clients: dict[str, Client] = {}
        self.year = timezone.localdate().year

    def client(self, login: str) -> Client:
        if login not in self.clients:
            client = Client()
            client.force_login(self.users[login])
            self.clients[login] = client
        return self.clients[login]

    @staticmethod
    def url(name: str, *args: Any) -> str:
        return reverse(name, args=args)

    @functools.cached_property
    def root(self) -> Any:
        return Organization.objects.get(code="DEMO")

    @functools.cached_property
    def member(self) -> Any:
        member = self.users["member"].member
        if member is None:
            raise DemoError("the demo login `member` has no member record")
        return member

    @functools.cached_property
    def branch(self) -> Any:
        return self.member.org

    @functools.cached_property
    def unit(self) -> Any:
        return Organization.objects.get_parent(self.branch)

    def _class(self, state: str, with_accepted: bool = True) -> Any:
        found = TrainingClass.objects.filter(state=state)
        if with_accepted:
            found = found.filter(enrolments__state="accepted").distinct()
        chosen = found.order_by("pk").first()
        if chosen is None:
            raise DemoError(f"the demo has no {state} training class with accepted trainees")
        return chosen

    @functools.cached_property
    def open_class(self) -> Any:
        return self._class("published")

    @functools.cached_property
    def closed_class(self) -> Any:
        return self._class("closed")

    @functools.cached_property
    def enrolled_member(self) -> Any:
        enrolment = Enrolment.objects.filter(training_class=self.open_class, state="accepted")
        return enrolment.order_by("pk").first().member  # type: ignore[union-attr]

    @functools.cached_property
    def completed_member(self) -> Any:
        for enrolment in Enrolment.objects.filter(
            training_class=self.closed_class, state="accepted"
        ).select_related("member"):
            if certificate_facts(self.closed_class, enrolment.member) is not None:
                return enrolment.member
        raise DemoError("nobody completed the demo's closed class")

    @functools.cached_property
    def event(self) -> Any:
        event = Event.objects.filter(org=self.branch).order_by("-starts_at").first()
        if event is None:
            raise DemoError("the demo branch has no event")
        return event

    @functools.cached_property
    def needs_survey(self) -> Any:
        """The demo's closed needs survey (made here if load_demo did not make it yet)."""
        found = Survey.objects.filter(purpose="needs").order_by("pk").first()
        if found is None:
            fill_needs(self.root)
            found = Survey.objects.filter(purpose="needs").order_by("pk").first()
        if found is None:
            raise DemoError("the demo has no needs survey")
        return found

    @functools.cached_property
    def online_class(self) -> Any:
        found = OnlineClass.objects.order_by("pk").first()
        if found is None:
            raise DemoError("the demo has no online class")
        return found

    @functools.cached_property
    def reading_list(self) -> Any:
        found = ReadingList.objects.order_by("pk").first()
        if found is None:
            raise DemoError("the demo has no reading list (demo.reading.fill_reading)")
        return found

    @functools.cached_property
    def exam(self) -> Any:
        return Exam.objects.filter(state="finalised").order_by("pk").first() or Exam.objects.first()

    @functools.cached_property
    def site(self) -> Any:
        """The county's memorial hall (demo.resources.fill_sites), whose bookings have a history."""
        found = Site.objects.filter(org=self.root, kind="red").order_by("pk").first()
        if found is None:
            raise DemoError("the demo has no site (demo.resources.fill_sites)")
        return found

    @functools.cached_property
    def plan(self) -> Any:
        return TrainingPlan.objects.get(org=self.root, year=self.year)

    @functools.cached_property
    def branch_plan(self) -> Any:
        return TrainingPlan.objects.get(org=self.branch, year=self.year)

    @functools.cached_property
    def evaluation(self) -> Any:
        """The demo's evaluation with results shown (peixun.demo.evaluations)."""
        found = Survey.objects.filter(purpose="evaluation", session__isnull=False).first()
        if found is None:
            raise DemoError("the demo has no evaluation (peixun.demo.evaluations not loaded)")
        return found

    @functools.cached_property
    def note_round(self) -> Any:
        """The demo's round of study-note checks (peixun/demo/habits.py)."""
        found = NoteCheckRound.objects.filter(org__path__startswith=self.root.path).first()
        if found is None:
            raise DemoError("the demo has no note-check round (demo.habits)")
        return found

    @functools.cached_property
    def contest(self) -> Any:
        """The demo's published 党课 competition (peixun/demo/contests.py)."""
        found = Contest.objects.filter(state="published").order_by("pk").first()
        if found is None:
            raise DemoError("the demo has no published competition (demo.contests)")
        return found

    def awaiting_activation(self, org: Any, subtree: bool) -> Any:
        """`org`, once the org admin has made logins for its members (or its subtree's) through
        the accounts page: the activation slips are of logins awaiting activation."""
        answer = self.client("org_admin").post(
            reverse("accounts:create", args=[org.pk]), {"mode": "subtree" if subtree else "org"}
        )
        if answer.status_code != 302:
            raise DemoError(f"creating logins answered {answer.status_code}")
        return org

    @functools.cached_property
    def certificate_pk(self) -> int:
        """A 学时证明 for the demo member, issued by the org admin through the page."""

        answer = self.client("org_admin").post(
            reverse("compliance:certificate_new", args=[self.member.pk]),
            {"first_year": self.year - 1, "last_year": self.year},
        )
        if answer.status_code != 302:
            raise DemoError(f"issuing a certificate answered {answer.status_code}")
        return int(HoursCertificate.objects.filter(member=self.member).latest("pk").pk)

    @functools.cached_property
    def report_pk(self) -> int:
        """Last year's annual summary of the tenant, drafted by the org admin through the page."""
        answer = self.client("org_admin").post(
            reverse("reports:report_list"),
            {
                "org": self.root.pk,
                "kind": "annual_summary",
                "first_year": self.year - 1,
                "last_year": self.year - 1,
            },
        )
        if answer.status_code != 302:
            raise DemoError(f"drafting a report answered {answer.status_code}")
        return int(answer["Location"].rstrip("/").rsplit("/", 1)[1])


LOGINS = ("org_admin", "secretary", "member", "viewer")
