"""Events' messages carry the event's date, not the day they were sent."""

from __future__ import annotations

from django.test import TestCase
from django.utils import timezone

from peixun.core.models import Notification
from peixun.events.services import leave_decide, leave_request
from peixun.testing import World

from .fixtures import class_session


class LeaveNoticeDateTests(TestCase):
    def test_a_leave_decision_is_dated_by_the_session(self) -> None:
        world = World()
        fx = class_session(world, starts_in=60 * 24 * 9)  # nine days ahead
        leave = leave_request(actor=world.users["member"], event=fx.event, reason="出差")
        leave_decide(actor=world.users["secretary"], leave=leave, approve=True)
        note = Notification.objects.get(recipient=world.users["member"])
        self.assertEqual(note.event_date, timezone.localdate(fx.event.starts_at))
        self.assertNotEqual(note.event_date, timezone.localdate())
        self.assertFalse(Notification.objects.filter(recipient=world.users["secretary"]).exists())
