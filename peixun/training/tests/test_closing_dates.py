"""A class closed after it ended carries its own dates, never silently today's: closing a
class that ended last March dates the closing and its certificates in March; the actor may give
the date instead (not in the future, not before the first day; a bad one stores nothing)."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.core.exceptions import ValidationError
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry
from peixun.testing import PersonaTestCase
from peixun.training.models import TrainingClass
from peixun.training.services.closing import class_close, class_reopen

from .test_closing_fixtures import closable_class, complete, mark_all


def chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class PastClassClosingTests(PersonaTestCase):
    def setUp(self) -> None:
        self.admin = self.world.users["org_admin"]
        today = timezone.localdate()
        self.last_march = dt.date(today.year - 1, 3, 15)
        self.c = closable_class(self.world, ended_days_ago=(today - self.last_march).days)
        mark_all(self.c)
        complete(self.c, self.admin)

    def fresh(self) -> TrainingClass:
        return TrainingClass.objects.get(pk=self.c.training_class.pk)

    def test_closing_a_class_of_last_march_is_dated_in_march(self) -> None:
        self.assertEqual(self.c.training_class.ends_on, self.last_march)
        class_close(actor=self.admin, training_class=self.c.training_class, late_note="补录")
        tc = self.fresh()
        self.assertEqual(tc.closed_on, self.last_march)
        self.assertEqual(timezone.localdate(tc.closed_at), timezone.localdate())  # when it was done
        audit = AuditEvent.objects.filter(verb="training_class.close").latest("id")
        self.assertEqual(audit.after["closed_on"], self.last_march.isoformat())
        response = self.client_for("org_admin").get(
            f"/training/{tc.pk}/certificate/{self.c.li.pk}/"
        )
        self.assertEqual(response.status_code, 200)
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn(chinese(self.last_march), text.splitlines()[-1])
        self.assertNotIn(chinese(timezone.localdate()), text)
        # Reopened, the date goes with the closing.
        class_reopen(actor=self.admin, training_class=tc, reason="补录考勤")
        self.assertIsNone(self.fresh().closed_on)

    def test_an_explicit_date_is_kept(self) -> None:
        day = self.last_march + dt.timedelta(days=3)
        class_close(
            actor=self.admin, training_class=self.c.training_class, late_note="补录", decided_on=day
        )
        self.assertEqual(self.fresh().closed_on, day)

    def test_a_future_or_too_early_date_is_refused_and_nothing_stored(self) -> None:
        for day, message in (
            (timezone.localdate() + dt.timedelta(days=1), "不能晚于今天"),
            (self.c.training_class.starts_on - dt.timedelta(days=1), "不能早于培训班首日"),
        ):
            with self.assertRaises(ValidationError) as caught:
                class_close(
                    actor=self.admin,
                    training_class=self.c.training_class,
                    late_note="补录",
                    decided_on=day,
                )
            self.assertIn("decided_on", caught.exception.message_dict)
            self.assertIn(message, caught.exception.message_dict["decided_on"][0])
            tc = self.fresh()
            self.assertEqual(tc.state, TrainingClass.State.PUBLISHED)
            self.assertIsNone(tc.closed_on)
            self.assertFalse(CreditEntry.objects.exists())

    def test_api_takes_and_answers_the_date(self) -> None:
        url = f"/api/v1/training/classes/{self.c.training_class.pk}/close"
        client = self.client_for("org_admin")
        bad = client.post(
            url, {"late_note": "补录", "decided_on": "2999-01-01"}, content_type="application/json"
        )
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(CreditEntry.objects.exists())
        response = client.post(url, {"late_note": "补录"}, content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["closed_on"], self.last_march.isoformat())

    def test_page_refuses_a_date_that_is_no_date(self) -> None:
        url = f"/training/{self.c.training_class.pk}/closing/"
        client = self.client_for("org_admin")
        self.assertContains(client.get(url), 'name="decided_on"')
        response = client.post(url, {"action": "close", "late_note": "补录", "decided_on": "3月"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.fresh().state, TrainingClass.State.PUBLISHED)
        day = self.last_march + dt.timedelta(days=1)
        response = client.post(
            url, {"action": "close", "late_note": "补录", "decided_on": day.isoformat()}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.fresh().closed_on, day)


class RecentClassClosingTests(PersonaTestCase):
    def test_a_class_that_just_ended_is_dated_its_last_day(self) -> None:
        admin = self.world.users["org_admin"]
        c = closable_class(self.world, ended_days_ago=1)
        mark_all(c)
        complete(c, admin)
        class_close(actor=admin, training_class=c.training_class)
        tc = TrainingClass.objects.get(pk=c.training_class.pk)
        self.assertEqual(tc.closed_on, timezone.localdate() - dt.timedelta(days=1))
