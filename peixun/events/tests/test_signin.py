"""QR sign-in and sign-out: every refusal in its order, repeat scans, late arrival, replaced marks."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any, ClassVar
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import TestCase, TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.events.logic import TokenError, check_signin_token, signin_token, token_seconds_left
from peixun.events.models import Attendance, Event, EventSettings
from peixun.events.services import (
    SigninError,
    attendance_signin,
    attendance_signout,
    event_settings_for,
    signin_outcome_text,
    signin_preflight,
)
from peixun.members.models import Member
from peixun.testing import World, make_member, make_user

from .fixtures import SessionFixture, add_session, class_session


def token_at(event: Event, when: dt.datetime) -> str:
    return signin_token(event, event_settings_for(event.org), now=when.timestamp())


class TokenTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    rules: ClassVar[EventSettings]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)
        cls.rules = event_settings_for(cls.fx.event.org)

    def test_fresh_token_passes_and_expires_after_the_valid_seconds(self) -> None:
        event, rules = self.fx.event, self.rules
        now = time.time()
        token = signin_token(event, rules, now=now)
        check_signin_token(event, token, rules, now=now)
        check_signin_token(event, token, rules, now=now + rules.qr_rotate_seconds)
        with self.assertRaises(TokenError) as caught:
            check_signin_token(event, token, rules, now=now + rules.qr_valid_seconds + 1)
        self.assertEqual(caught.exception.code, "expired")
        self.assertGreater(token_seconds_left(token, rules, now=now), rules.qr_rotate_seconds - 1)

    def test_malformed_tokens_are_refused_without_errors(self) -> None:
        for bad in ["", "abc", "12.xyz", "²³.0123456789abcdef0123", "1." + "é" * 20, "9" * 5000]:
            with self.subTest(bad=bad[:20]), self.assertRaises(TokenError) as caught:
                check_signin_token(self.fx.event, bad, self.rules)
            self.assertEqual(caught.exception.code, "malformed")
        self.assertEqual(token_seconds_left("junk", self.rules), 0)

    def test_token_of_another_event_is_wrong_event(self) -> None:
        other = add_session(self.fx.training_class).event
        token = signin_token(other, self.rules)
        with self.assertRaises(TokenError) as caught:
            check_signin_token(self.fx.event, token, self.rules)
        self.assertEqual(caught.exception.code, "wrong_event")


class SigninTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    member_user: ClassVar[Any]
    chen: ClassVar[Member]
    chen_user: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)  # started 30 min ago, ends in 90 min
        cls.member_user = cls.world.users["member"]
        cls.chen = cls.fx.members[1]
        cls.chen_user = make_user("chen", member=cls.chen)

    def sign(self, user=None, *, when=None, token=None, event=None):  # type: ignore[no-untyped-def]
        event = event or self.fx.event
        when = when or timezone.now()
        token = token if token is not None else token_at(event, when)
        return attendance_signin(actor=user or self.member_user, event=event, token=token, now=when)

    def refused(self, code: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        with self.assertRaises(SigninError) as caught:
            self.sign(**kwargs)
        self.assertEqual(caught.exception.code, code)
        self.assertTrue(caught.exception.message)
        self.assertEqual(list(caught.exception.message_dict), ["token"])

    def test_sign_in_creates_one_row_and_one_audit_event(self) -> None:
        row, created = self.sign()
        self.assertTrue(created)
        self.assertEqual(row.method, Attendance.Method.QR)
        # Started 30 minutes ago, late after 10: late.
        self.assertEqual(row.status, Attendance.Status.LATE)
        self.assertEqual(
            AuditEvent.objects.filter(verb="attendance.signin", object_id=str(row.pk)).count(), 1
        )
        self.assertIn("迟到", signin_outcome_text(row, True))

    def test_second_scan_changes_nothing(self) -> None:
        first, _ = self.sign()
        again, created = self.sign(when=timezone.now() + dt.timedelta(minutes=5))
        self.assertFalse(created)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(again.signed_in_at, first.signed_in_at)
        self.assertEqual(Attendance.objects.filter(event=self.fx.event).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="attendance.signin").count(), 1)
        self.assertIn("无需重复", signin_outcome_text(again, False))
        # Even with a stale code the member learns they are already in.
        old, created = self.sign(token=token_at(self.fx.event, timezone.now() - dt.timedelta(1)))
        self.assertEqual((old.pk, created), (first.pk, False))

    def test_losing_a_race_returns_the_winners_row(self) -> None:
        # The row appears between the checks and the insert (another scan of the same member):
        # the unique constraint refuses the second insert and the winner's row is returned.
        winner, _ = self.sign()
        # The first look finds no row; the second (after the refused insert) finds the winner's.
        with mock.patch("peixun.events.services.signin.member_row", side_effect=[None, winner]):
            row, created = self.sign()
        self.assertEqual((row.pk, created), (winner.pk, False))
        self.assertEqual(Attendance.objects.count(), 1)

    def test_on_time_is_present(self) -> None:
        when = self.fx.event.starts_at + dt.timedelta(minutes=5)
        row, _ = self.sign(when=when)
        self.assertEqual(row.status, Attendance.Status.PRESENT)
        self.assertEqual(row.signed_in_at, when)

    def test_refusals(self) -> None:
        event = self.fx.event
        with self.assertRaises(SigninError) as caught:
            attendance_signin(actor=AnonymousUser(), event=event, token="x")
        self.assertEqual(caught.exception.code, "anonymous")
        self.refused("no_member", user=self.world.users["org_admin"])
        self.refused("malformed", token="not-a-token")
        other = add_session(self.fx.training_class).event
        self.refused("wrong_event", token=token_at(other, timezone.now()))
        self.refused("expired", token=token_at(event, timezone.now() - dt.timedelta(minutes=5)))
        before = event.starts_at - dt.timedelta(minutes=31)
        self.refused("not_open", when=before)
        self.refused("ended", when=event.ends_at + dt.timedelta(seconds=1))
        stranger = make_user("stranger", member=make_member(self.world.other_branch, "周游"))
        self.refused("not_enrolled", user=stranger)
        self.assertFalse(Attendance.objects.exists())

    def test_window_opens_before_the_start(self) -> None:
        when = self.fx.event.starts_at - dt.timedelta(minutes=29)
        row, created = self.sign(when=when)
        self.assertTrue(created)
        self.assertEqual(row.status, Attendance.Status.PRESENT)

    def test_not_open_names_the_opening_time(self) -> None:
        with self.assertRaises(SigninError) as caught:
            self.sign(when=self.fx.event.starts_at - dt.timedelta(hours=2))
        opens = timezone.localtime(self.fx.event.starts_at - dt.timedelta(minutes=30))
        self.assertIn(opens.strftime("%H:%M"), caught.exception.message)

    def test_closed_event_refuses_first(self) -> None:
        Event.objects.filter(pk=self.fx.event.pk).update(state=Event.State.CLOSED)
        self.fx.event.refresh_from_db()
        self.refused("closed", token="junk")

    def test_settings_change_the_window_and_lateness(self) -> None:
        EventSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"late_after_minutes": 60, "signin_opens_minutes": 5}
        )
        row, _ = self.sign()
        self.assertEqual(row.status, Attendance.Status.PRESENT)
        self.refused(
            "not_open",
            user=self.chen_user,
            when=self.fx.event.starts_at - dt.timedelta(minutes=6),
        )

    def test_a_real_scan_replaces_absent_and_leave(self) -> None:
        for status in (Attendance.Status.ABSENT, Attendance.Status.LEAVE):
            Attendance.objects.update_or_create(
                event=self.fx.event,
                member=self.world.member,
                defaults={"status": status, "method": Attendance.Method.MANUAL},
            )
            row, created = self.sign()
            self.assertTrue(created)
            self.assertEqual(row.status, Attendance.Status.LATE)
            self.assertEqual(row.method, Attendance.Method.QR)
        self.assertEqual(Attendance.objects.count(), 1)

    def test_preflight_writes_nothing(self) -> None:
        now = timezone.now()
        token = token_at(self.fx.event, now)
        self.assertIsNone(
            signin_preflight(actor=self.member_user, event=self.fx.event, token=token, now=now)
        )
        self.assertFalse(Attendance.objects.exists())

    def test_make_up_member_is_expected(self) -> None:
        from peixun.training.models import MakeUp

        other = class_session(self.world, members=[]).event
        MakeUp.objects.create(
            member=self.world.member,
            missed_event=other,
            assigned_event=self.fx.event,
            state=MakeUp.State.ASSIGNED,
        )
        stranger = make_member(self.world.far_branch, "钱程")
        MakeUp.objects.create(member=stranger, missed_event=other, assigned_event=self.fx.event)
        row, created = self.sign(user=make_user("qian", member=stranger))
        self.assertTrue(created)


class SignoutTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    user: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world, signout_required=True, starts_in=-5, minutes=120)
        cls.user = cls.world.users["member"]

    def test_sign_out_before_the_end_is_leaving_early_and_once_only(self) -> None:
        now = timezone.now()
        attendance_signin(
            actor=self.user, event=self.fx.event, token=token_at(self.fx.event, now), now=now
        )
        row, changed = attendance_signout(
            actor=self.user, event=self.fx.event, token=token_at(self.fx.event, now), now=now
        )
        self.assertTrue(changed)
        self.assertEqual(row.status, Attendance.Status.LEFT_EARLY)
        again, changed = attendance_signout(
            actor=self.user, event=self.fx.event, token="stale", now=now
        )
        self.assertFalse(changed)
        self.assertEqual(again.signed_out_at, row.signed_out_at)

    def test_sign_out_at_the_end_keeps_present(self) -> None:
        start = self.fx.event.starts_at
        attendance_signin(
            actor=self.user, event=self.fx.event, token=token_at(self.fx.event, start), now=start
        )
        end = self.fx.event.ends_at - dt.timedelta(minutes=5)
        row, changed = attendance_signout(
            actor=self.user, event=self.fx.event, token=token_at(self.fx.event, end), now=end
        )
        self.assertEqual((row.status, changed), (Attendance.Status.PRESENT, True))

    def test_sign_out_refusals(self) -> None:
        now = timezone.now()
        token = token_at(self.fx.event, now)
        with self.assertRaises(SigninError) as caught:
            attendance_signout(actor=self.user, event=self.fx.event, token=token, now=now)
        self.assertEqual(caught.exception.code, "not_signed_in")
        plain = class_session(self.world, members=[self.world.member]).event
        with self.assertRaises(SigninError) as caught:
            attendance_signout(actor=self.user, event=plain, token=token_at(plain, now), now=now)
        self.assertEqual(caught.exception.code, "no_signout")


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentSigninTests(TransactionTestCase):
    """Many scans of one member at once still leave one row (PostgreSQL; SQLite serialises
    writers, which the unique constraint and the IntegrityError path also cover)."""

    def test_concurrent_scans_leave_one_row(self) -> None:
        world = World()
        fx = class_session(world)
        user = world.users["member"]
        results: list[bool] = []
        errors: list[BaseException] = []

        def scan() -> None:
            try:
                now = timezone.now()
                _row, created = attendance_signin(
                    actor=user, event=fx.event, token=token_at(fx.event, now), now=now
                )
                results.append(created)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=scan) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(results.count(True), 1)
        self.assertEqual(Attendance.objects.filter(event=fx.event).count(), 1)
