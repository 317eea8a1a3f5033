"""Booking a site: the rules of the booking service, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from peixun.core.models import AuditEvent, Notification
from peixun.events.models import Attendance
from peixun.resources.models import Booking, BookingState, LimitPeriod
from peixun.resources.selectors import site_use
from peixun.resources.services import (
    booking_cancel,
    booking_confirm,
    booking_refuse,
    booking_request,
    period_of,
)
from peixun.testing import PersonaTestCase, make_member

from .fixtures import at, county_venue, make_booking, make_meeting


# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class BookingRequestTests(PersonaTestCase):
    def setUp(self) -> None:
        self.site = county_venue(self.world)

    def ask(self, persona: str = "secretary", **fields: Any) -> Booking:
        values: dict[str, object] = {
            "org": self.world.branch,
            "starts_at": at(7, 9),
            "ends_at": at(7, 11),
            "people": 20,
            "purpose": "主题党日",
        }
        values.update(fields)
        return booking_request(actor=self.user(persona), site=self.site, **values)

    def test_a_branch_books_another_units_venue_for_its_meeting(self) -> None:
        meeting = make_meeting(self.world.branch, 7, 9)
        booking = booking_request(
            actor=self.user("secretary"), site=self.site, event=meeting.pk, people=15
        )
        self.assertEqual(booking.state, BookingState.REQUESTED)
        self.assertEqual(booking.org, self.world.branch)
        self.assertEqual((booking.starts_at, booking.ends_at), (meeting.starts_at, meeting.ends_at))
        self.assertEqual(booking.purpose, meeting.title)
        self.assertTrue(AuditEvent.objects.filter(verb="booking.request").exists())
        # The owner's managers (the county's org admin, nearest above the far unit) are told.
        self.assertTrue(Notification.objects.filter(recipient=self.user("org_admin")).exists())

    def test_the_same_slot_is_refused_and_an_overlap_too(self) -> None:
        self.ask()
        for starts, ends in (
            (at(7, 9), at(7, 11)),
            (at(7, 10), at(7, 12)),
            (at(7, 8), at(7, 9, 30)),
        ):
            with self.subTest(starts=starts), self.assertRaises(ValidationError) as caught:
                self.ask(
                    "other_secretary", org=self.world.other_branch, starts_at=starts, ends_at=ends
                )
            self.assertIn("already booked", str(caught.exception.message_dict["starts_at"]))
        self.assertEqual(Booking.objects.count(), 1)

    def test_back_to_back_bookings_and_freed_slots_are_fine(self) -> None:
        first = self.ask()
        self.ask(
            "other_secretary", org=self.world.other_branch, starts_at=at(7, 11), ends_at=at(7, 12)
        )
        booking_cancel(actor=self.user("secretary"), booking=first)
        self.ask("other_secretary", org=self.world.other_branch)
        self.assertEqual(Booking.objects.filter(state=BookingState.REQUESTED).count(), 2)

    def test_the_database_refuses_an_overlap_on_postgresql(self) -> None:
        from django.db import connection

        make_booking(self.site, self.world.branch, 7, 9)
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no exclusion constraint; the service checks the rule")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_booking(self.site, self.world.other_branch, 7, 10)

    def test_bad_input_is_named_field_by_field_and_nothing_is_stored(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "people": {"people": 0},
            "ends_at": {"ends_at": at(7, 8)},
            "purpose": {"purpose": " "},
            "event": {"event": 999_999},
        }
        for name, fields in cases.items():
            with self.subTest(name), self.assertRaises(ValidationError) as caught:
                self.ask(**fields)
            self.assertIn(name, caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            self.ask(people=41)
        self.assertIn("at most 40", str(caught.exception.message_dict["people"]))
        with self.assertRaises(ValidationError) as caught:
            self.ask(starts_at=at(-1, 9), ends_at=at(-1, 11))
        self.assertIn("future", str(caught.exception.message_dict["starts_at"]))
        self.assertFalse(Booking.objects.exists())

    def test_only_a_manager_of_the_booking_unit_asks(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.ask("other_secretary")  # the other branch's secretary for the first branch
        with self.assertRaises(PermissionDenied):
            self.ask("viewer")

    def test_a_site_not_open_to_the_unit_cannot_be_booked(self) -> None:
        self.site.open_to = self.world.far_unit
        self.site.save()
        with self.assertRaises(ValidationError) as caught:
            self.ask()
        self.assertIn("not open to", str(caught.exception.message_dict["org"]))

    def test_another_units_event_cannot_be_named(self) -> None:
        meeting = make_meeting(self.world.other_branch, 7, 9)
        with self.assertRaises(ValidationError) as caught:
            self.ask(event=meeting.pk)
        self.assertIn("event", caught.exception.message_dict)

    def test_opening_days_and_hours_are_checked(self) -> None:
        self.site.open_weekdays = "12345"
        self.site.opens_at, self.site.closes_at = dt.time(8, 30), dt.time(17, 30)
        self.site.save()
        saturday = next(d for d in range(7, 14) if at(d, 9).isoweekday() == 6)
        monday = saturday + 2
        with self.assertRaises(ValidationError):
            self.ask(starts_at=at(saturday, 9), ends_at=at(saturday, 11))
        with self.assertRaises(ValidationError):
            self.ask(starts_at=at(monday, 7), ends_at=at(monday, 9))
        with self.assertRaises(ValidationError):
            self.ask(starts_at=at(monday, 16), ends_at=at(monday, 18))
        self.ask(starts_at=at(monday, 8, 30), ends_at=at(monday, 17, 30))

    def test_the_limit_per_unit_and_month(self) -> None:
        self.site.booking_limit, self.site.limit_period = 2, LimitPeriod.MONTH
        self.site.save()
        first_of_next = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
        days = (first_of_next - timezone.localdate()).days
        self.ask(starts_at=at(days, 9), ends_at=at(days, 10))
        self.ask(starts_at=at(days + 1, 9), ends_at=at(days + 1, 10))
        with self.assertRaises(ValidationError) as caught:
            self.ask(starts_at=at(days + 2, 9), ends_at=at(days + 2, 10))
        self.assertIn("the owner allows 2", str(caught.exception.message_dict["starts_at"]))
        # Another unit has its own allowance; the next month starts afresh.
        self.ask(
            "other_secretary",
            org=self.world.other_branch,
            starts_at=at(days + 2, 9),
            ends_at=at(days + 2, 10),
        )
        self.ask(starts_at=at(days + 40, 9), ends_at=at(days + 40, 10))

    def test_periods(self) -> None:
        zone = timezone.get_current_timezone()
        when = dt.datetime(2026, 11, 15, 10, tzinfo=zone)
        self.assertEqual(
            period_of(when, "quarter"),
            (dt.datetime(2026, 10, 1, tzinfo=zone), dt.datetime(2027, 1, 1, tzinfo=zone)),
        )
        self.assertEqual(
            period_of(when, "month"),
            (dt.datetime(2026, 11, 1, tzinfo=zone), dt.datetime(2026, 12, 1, tzinfo=zone)),
        )
        self.assertEqual(period_of(when, "year")[1], dt.datetime(2027, 1, 1, tzinfo=zone))


class BookingDecisionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.site = county_venue(self.world)
        self.meeting = make_meeting(self.world.branch, 7, 9)
        self.booking = make_booking(
            self.site,
            self.world.branch,
            7,
            9,
            event=self.meeting,
            requested_by=self.user("secretary"),
        )

    def test_the_owner_confirms_and_the_meeting_gets_its_place(self) -> None:
        booking_confirm(actor=self.user("org_admin"), booking=self.booking)
        self.booking.refresh_from_db()
        self.meeting.refresh_from_db()
        self.assertEqual(self.booking.state, BookingState.CONFIRMED)
        self.assertEqual(self.booking.decided_by, self.user("org_admin"))
        self.assertEqual(self.meeting.place, "委机关党建活动室（县府路1号）")
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
        self.assertLessEqual({"booking.confirm", "event.place_from_booking"}, verbs)
        self.assertTrue(Notification.objects.filter(recipient=self.user("secretary")).exists())

    def test_only_the_owner_decides(self) -> None:
        for persona in ("secretary", "other_secretary", "viewer"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                booking_confirm(actor=self.user(persona), booking=self.booking)

    def test_a_refusal_needs_a_reason(self) -> None:
        with self.assertRaises(ValidationError):
            booking_refuse(actor=self.user("org_admin"), booking=self.booking, reason=" ")
        booking_refuse(actor=self.user("org_admin"), booking=self.booking, reason="当天场地维修")
        self.booking.refresh_from_db()
        self.assertEqual((self.booking.state, self.booking.reason), ("refused", "当天场地维修"))
        with self.assertRaises(ValidationError):
            booking_confirm(actor=self.user("org_admin"), booking=self.booking)

    def test_the_booker_cancels_not_others(self) -> None:
        with self.assertRaises(PermissionDenied):
            booking_cancel(actor=self.user("other_secretary"), booking=self.booking)
        booking_cancel(actor=self.user("secretary"), booking=self.booking, reason="改期")
        self.booking.refresh_from_db()
        self.assertEqual(self.booking.state, BookingState.CANCELLED)
        with self.assertRaises(ValidationError):
            booking_cancel(actor=self.user("secretary"), booking=self.booking)


class SiteUseTests(PersonaTestCase):
    def test_use_counts_units_and_members_by_hand(self) -> None:
        site = county_venue(self.world)
        year = timezone.localdate().year
        now = at(0, 12)
        # Two held bookings (one with a closed meeting of 3 present, 1 late, 1 absent), one held
        # booking without an event expecting 25, one refused, one still to come.
        meeting = make_meeting(self.world.branch, -2, 9, state="closed")
        members = [make_member(self.world.branch, f"党员{i}") for i in range(5)]
        for member, status in zip(
            members, ["present", "present", "present", "late", "absent"], strict=True
        ):
            Attendance.objects.create(event=meeting, member=member, status=status, method="manual")
        make_booking(site, self.world.branch, -2, 9, event=meeting, state="confirmed", people=30)
        make_booking(site, self.world.other_branch, -1, 9, state="confirmed", people=25)
        make_booking(site, self.world.far_branch, -1, 14, state="refused", reason="x")
        make_booking(site, self.world.branch, 3, 9, state="confirmed")
        if at(-2, 9).year != year or at(3, 9).year != year:
            self.skipTest("the days straddle a new year")
        with self.assertNumQueries(2):
            use = site_use(site, year, now=now)
        self.assertEqual(use.bookings, 2)
        self.assertEqual(use.units, 2)
        self.assertEqual((use.attended, use.by_attendance, use.expected), (4, 1, 25))
        self.assertEqual(use.members, 29)
        self.assertEqual(use.upcoming, 1)
