"""Leave: ask, decide (organiser or the member's secretary), cancel; attendance and notification."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from peixun.core.models import Notification
from peixun.events import registry
from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event, LeaveRequest
from peixun.events.services import (
    attendance_signin,
    event_settings_for,
    leave_cancel,
    leave_decide,
    leave_request,
)
from peixun.testing import World, make_member, make_user

from .fixtures import SessionFixture, class_session


class LeaveTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    member: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world, starts_in=60)
        cls.member = cls.world.users["member"]

    def ask(self, reason: str = "出差") -> LeaveRequest:
        return leave_request(actor=self.member, event=self.fx.event, reason=reason)

    def test_ask_and_approve_by_the_branch_secretary(self) -> None:
        calls: list[int] = []
        registry.register_attendance_listener("session", lambda event: calls.append(event.pk))
        try:
            leave = self.ask()
            self.assertEqual(leave.state, LeaveRequest.State.PENDING)
            decided = leave_decide(actor=self.world.users["secretary"], leave=leave, approve=True)
        finally:
            registry._attendance_listeners["session"].pop()
        self.assertEqual(decided.state, LeaveRequest.State.APPROVED)
        row = Attendance.objects.get(event=self.fx.event, member=self.world.member)
        self.assertEqual((row.status, row.method), (Attendance.Status.LEAVE, "manual"))
        self.assertIn(self.fx.event.pk, calls)
        note = Notification.objects.get(recipient=self.member)
        self.assertIn(self.fx.event.title, note.title)
        self.assertIn("批准", note.title)

    def test_reject_needs_a_note_and_notifies(self) -> None:
        leave = self.ask()
        admin = self.world.users["org_admin"]
        with self.assertRaises(ValidationError) as caught:
            leave_decide(actor=admin, leave=leave, approve=False)
        self.assertIn("note", caught.exception.message_dict)
        leave_decide(actor=admin, leave=leave, approve=False, note="本次课程必须参加")
        leave.refresh_from_db()
        self.assertEqual(leave.state, LeaveRequest.State.REJECTED)
        self.assertFalse(Attendance.objects.exists())
        self.assertIn("本次课程必须参加", Notification.objects.get(recipient=self.member).body)
        with self.assertRaises(ValidationError):
            leave_decide(actor=admin, leave=leave, approve=True)
        # Refused, the member may ask again.
        self.assertEqual(self.ask("家中有事").state, LeaveRequest.State.PENDING)

    def test_who_may_decide(self) -> None:
        leave = self.ask()
        for persona in ("other_secretary", "viewer", "member"):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                leave_decide(actor=self.world.users[persona], leave=leave, approve=True)
        leave.refresh_from_db()
        self.assertEqual(leave.state, LeaveRequest.State.PENDING)

    def test_ask_refusals(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.ask("  ")
        self.assertIn("reason", caught.exception.message_dict)
        self.ask()
        with self.assertRaises(ValidationError):
            self.ask()  # one live request
        stranger = make_user("stranger", member=make_member(self.world.far_branch, "外人"))
        with self.assertRaises(ValidationError):
            leave_request(actor=stranger, event=self.fx.event, reason="出差")
        with self.assertRaises(PermissionDenied):
            leave_request(actor=self.world.users["org_admin"], event=self.fx.event, reason="x")
        over = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        with self.assertRaises(ValidationError):
            leave_request(actor=self.member, event=over.event, reason="出差")
        self.assertEqual(LeaveRequest.objects.count(), 1)

    def test_signed_in_member_cannot_ask_and_approval_after_scan_is_refused(self) -> None:
        running = class_session(self.world, members=[self.world.member])
        rules = event_settings_for(running.event.org)
        leave = leave_request(actor=self.member, event=running.event, reason="临时有事")
        attendance_signin(
            actor=self.member, event=running.event, token=signin_token(running.event, rules)
        )
        with self.assertRaises(ValidationError):
            leave_decide(actor=self.world.users["org_admin"], leave=leave, approve=True)
        self.assertEqual(Attendance.objects.get(event=running.event).status, Attendance.Status.LATE)
        leave_cancel(actor=self.member, leave=leave)
        with self.assertRaises(ValidationError):
            leave_request(actor=self.member, event=running.event, reason="临时有事")

    def test_cancel_only_own_pending(self) -> None:
        leave = self.ask()
        with self.assertRaises(PermissionDenied):
            leave_cancel(actor=self.world.users["secretary"], leave=leave)
        leave = leave_cancel(actor=self.member, leave=leave)
        self.assertEqual(leave.state, LeaveRequest.State.CANCELLED)
        with self.assertRaises(ValidationError):
            leave_cancel(actor=self.member, leave=leave)

    def test_closed_event_refuses_decisions(self) -> None:
        leave = self.ask()
        Event.objects.filter(pk=self.fx.event.pk).update(
            state=Event.State.CLOSED, closed_at=timezone.now()
        )
        with self.assertRaises(ValidationError):
            leave_decide(actor=self.world.users["org_admin"], leave=leave, approve=True)
