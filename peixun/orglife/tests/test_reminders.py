"""Reminders go to the branch's secretary only, before the period ends, once."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from peixun.core.models import Notification
from peixun.testing import PersonaTestCase

from ..models import MeetingKind
from ..services.reminders import meeting_reminders_send
from .test_regularity import meeting


class ReminderTests(PersonaTestCase):
    def test_due_kinds_remind_the_secretary_once(self) -> None:
        w = self.world
        today = dt.date(2026, 3, 26)  # March and Q1 both end within 7 days
        meeting(w.branch, MeetingKind.THEME_DAY, dt.date(2026, 3, 5))
        sent = meeting_reminders_send(today=today)
        mine = Notification.objects.filter(recipient=w.users["secretary"])
        titles = list(mine.values_list("title", flat=True))
        # Held: 主题党日. Due: 支委会, 党小组会 (monthly), 支部党员大会, 党课 (quarterly).
        self.assertEqual(len(titles), 4)
        self.assertFalse(any("主题党日" in t for t in titles))
        self.assertTrue(any("党课" in t for t in titles))
        # The other branch's secretary hears only of their own branch; nobody else hears.
        theirs = Notification.objects.filter(recipient=w.users["other_secretary"])
        self.assertTrue(all("第二党支部" in t for t in theirs.values_list("title", flat=True)))
        for persona in ("org_admin", "viewer", "member"):
            self.assertFalse(Notification.objects.filter(recipient=w.users[persona]).exists())
        self.assertEqual(sent, Notification.objects.count())
        self.assertEqual(meeting_reminders_send(today=today), 0)
        out = io.StringIO()
        call_command("orglife_reminders", "--date", "2026-03-27", stdout=out)
        self.assertIn("0 reminder(s) sent", out.getvalue())

    def test_nothing_while_the_period_has_time(self) -> None:
        self.assertEqual(meeting_reminders_send(today=dt.date(2026, 3, 10)), 0)
