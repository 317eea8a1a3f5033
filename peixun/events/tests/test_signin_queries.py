"""The sign-in path's cost, pinned: the SQL of a first QR sign-in and of a repeated scan through
the API with a bearer token (bench/signin_burst.py measures the same path under load), and the
one-member "expected?" check that replaced the whole audience query, which must give the same
answer as `expected_member_ids` in every case.

The counts are those of a test (the service's transaction is a savepoint inside the test's): a
first sign-in with a token not used in the last minute is the token with its owner (and whether
the owner holds any grant: a plain member's scope needs no query of its own), the token's last
use, the event with "is the member expected", the id of the
member's row (none yet, so the row is not read again) and the tenant's attendance settings, then
SAVEPOINT, the row, the audit chain's head, the audit event, the head again (on PostgreSQL these
four are one statement, and outside a test's transaction there is no savepoint), RELEASE. A repeated
scan: the token, the event, the row. Every query but the writes is prepared once per
process (peixun.core.prepared).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.db import connection
from django.test import Client, TestCase

from peixun.accounts.services import token_issue
from peixun.core.models import AuditEvent
from peixun.events import registry
from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event, EventSettings
from peixun.events.selectors import (
    EVENT_SETTINGS_FIELDS,
    event_get,
    event_settings_of,
    member_row,
)
from peixun.events.services import event_settings_for, event_settings_update
from peixun.members.models import Member
from peixun.testing import World, make_member, make_user
from peixun.training.models import Enrolment, MakeUp

from .fixtures import SessionFixture, add_session, class_session

# Token (with "holds any grant?") and its use, event (with the tenant's settings); the row and
# the audit event (PostgreSQL: one statement inserts the row, locks the chain's head, inserts the
# event and advances the head; elsewhere four).
FIRST_SIGNIN_QUERIES = {"postgresql": 6}
FIRST_SIGNIN_QUERIES_ELSEWHERE = 9
REPEAT_SCAN_QUERIES = 3


class SigninQueryCountTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)

    def bearer(self, member: Member, username: str) -> Client:
        user = make_user(username, member=member)
        raw = token_issue(actor=user).raw
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def scan(self, client: Client, event: Event, token: str) -> dict[str, object]:
        response = client.post(
            f"/api/v1/events/{event.pk}/signin",
            data=json.dumps({"token": token}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        answer: dict[str, object] = response.json()
        return answer

    def test_first_signin_and_repeated_scan(self) -> None:
        event = self.fx.event
        chen = self.fx.members[1]  # expected (enrolled), no login of their own yet
        client = self.bearer(chen, "chen")
        token = signin_token(event, event_settings_for(event.org))
        expected = FIRST_SIGNIN_QUERIES.get(connection.vendor, FIRST_SIGNIN_QUERIES_ELSEWHERE)
        with self.assertNumQueries(expected):
            first = self.scan(client, event, token)
        self.assertIs(first["created"], True)
        with self.assertNumQueries(REPEAT_SCAN_QUERIES):
            again = self.scan(client, event, token)
        self.assertIs(again["created"], False)
        # Every check still ran and wrote what it writes: one row, one audit event.
        self.assertEqual(Attendance.objects.filter(event=event, member=chen).count(), 1)
        self.assertEqual(
            AuditEvent.objects.filter(
                verb="attendance.signin",
                object_id=str(Attendance.objects.get(event=event, member=chen).pk),
            ).count(),
            1,
        )

    def test_a_member_not_expected_is_still_refused(self) -> None:
        stranger = make_member(self.world.other_branch, "赵强", mobile="13800000077")
        client = self.bearer(stranger, "zhao")
        token = signin_token(self.fx.event, event_settings_for(self.fx.event.org))
        response = client.post(
            f"/api/v1/events/{self.fx.event.pk}/signin",
            data=json.dumps({"token": token}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Attendance.objects.filter(member=stranger).exists())


class ExpectedCheckTests(TestCase):
    """`registry.member_expected` and the condition `event_get` uses agree with the audience
    query (`expected_member_ids`) for every way of being, or not being, expected."""

    world: ClassVar[World]
    fx: ClassVar[SessionFixture]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)

    def assert_agrees(self, event: Event, member: Member, expected: bool) -> None:
        audience = registry.expected_member_ids(event).filter(pk=member.pk).exists()
        self.assertEqual(audience, expected)
        fresh = Event.objects.get(pk=event.pk)  # nothing remembered on it
        self.assertEqual(registry.member_expected(fresh, member.pk), expected)
        condition = registry.expected_condition(member.pk)
        assert condition is not None
        self.assertEqual(Event.objects.filter(pk=event.pk).filter(condition).exists(), expected)

    def test_every_way_in_and_out(self) -> None:
        event = self.fx.event
        enrolled = self.fx.members[0]
        self.assert_agrees(event, enrolled, True)
        nominated = make_member(self.world.branch, "孙丽", mobile="13800000071")
        Enrolment.objects.create(
            training_class=self.fx.training_class,
            member=nominated,
            route=Enrolment.Route.NOMINATED,
            state=Enrolment.State.NOMINATED,
        )
        self.assert_agrees(event, nominated, False)
        # A make-up assigned to this session counts; a waived one does not.
        later = add_session(self.fx.training_class, starts_in=60)
        outsider = make_member(self.world.far_branch, "周伟", mobile="13800000072")
        self.assert_agrees(later.event, outsider, False)
        makeup = MakeUp.objects.create(
            member=outsider,
            missed_event=event,
            assigned_event=later.event,
            state=MakeUp.State.ASSIGNED,
        )
        self.assert_agrees(later.event, outsider, True)
        self.assert_agrees(event, outsider, False)  # the missed session does not expect them
        makeup.state = MakeUp.State.WAIVED
        makeup.save()
        self.assert_agrees(later.event, outsider, False)

    def test_event_get_remembers_only_for_its_own_instance(self) -> None:
        member = self.fx.members[0]
        event = event_get(self.world.users["member"], self.fx.event.pk)
        with self.assertNumQueries(0):
            self.assertTrue(registry.member_expected(event, member.pk))
        # Another instance (or another member) asks the database.
        with self.assertNumQueries(1):
            self.assertTrue(registry.member_expected(self.fx.event, member.pk))
        Enrolment.objects.filter(member=member).update(state=Enrolment.State.WITHDRAWN)
        fresh = Event.objects.get(pk=event.pk)
        with self.assertNumQueries(1):
            self.assertFalse(registry.member_expected(fresh, member.pk))

    def test_the_row_found_missing_by_event_get_is_not_asked_again_once(self) -> None:
        member = self.fx.members[0]
        actor = self.world.users["member"]
        self.assertEqual(actor.member_id, member.pk)
        event = event_get(actor, self.fx.event.pk)
        with self.assertNumQueries(0):
            self.assertIsNone(member_row(event, member.pk))
        # Only the first look uses what event_get saw: a row made since (a racing scan) is found.
        row = Attendance.objects.create(
            event=self.fx.event, member=member, status=Attendance.Status.PRESENT
        )
        with self.assertNumQueries(1):
            self.assertEqual(member_row(event, member.pk), row)
        # event_get on a member who has a row reads it again (no memo of "none").
        again = event_get(actor, self.fx.event.pk)
        with self.assertNumQueries(1):
            self.assertEqual(member_row(again, member.pk), row)


class SettingsWithTheEventTests(TestCase):
    """The tenant's attendance settings read with the event for a member are the ones
    `event_settings_for` reads: the defaults while the tenant kept them, its row after a change."""

    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    reader: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)
        cls.reader = make_user("reader", member=cls.fx.members[1])  # expected at the event

    def read_with_the_event(self) -> EventSettings:
        event = event_get(self.reader, self.fx.event.pk)
        with self.assertNumQueries(0):
            return event_settings_of(event)

    def assert_same(self, found: EventSettings, expected: EventSettings) -> None:
        self.assertEqual(
            [getattr(found, name) for name in EVENT_SETTINGS_FIELDS],
            [getattr(expected, name) for name in EVENT_SETTINGS_FIELDS],
        )
        self.assertEqual((found.pk, found.tenant_id), (expected.pk, expected.tenant_id))
        self.assertEqual(found._state.adding, expected._state.adding)

    def test_the_defaults_then_the_tenant_s_own(self) -> None:
        org = self.fx.event.org
        self.assert_same(self.read_with_the_event(), event_settings_for(org))
        self.assertIsNone(self.read_with_the_event().pk)
        event_settings_update(
            actor=self.world.users["org_admin"],
            tenant=self.world.root,
            late_after_minutes=25,
            late_credit="none",
            qr_rotate_seconds=20,
            qr_valid_seconds=60,
        )
        changed = self.read_with_the_event()
        self.assert_same(changed, event_settings_for(org))
        self.assertEqual((changed.late_after_minutes, changed.qr_valid_seconds), (25, 60))

    def test_staff_and_other_callers_read_them_as_before(self) -> None:
        event = event_get(self.world.users["org_admin"], self.fx.event.pk)
        expected = event_settings_for(event.org)
        with self.assertNumQueries(1):
            found = event_settings_of(event)
        self.assert_same(found, expected)
