"""A member leaves the tenant (转出, 去世, 除名/出党, 退党): the page on the member's record, the
API route, and what follows: shown as departed, positions ended, the login stopped that day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.members.models import Departure, Member, Membership
from peixun.members.services import member_depart
from peixun.orgs.models import Position
from peixun.testing import PASSWORD, PersonaTestCase, make_member, make_user

API = "/api/v1/members/"


class DepartureTestCase(PersonaTestCase):
    def today(self) -> dt.date:
        return timezone.localdate()

    def stored(self) -> tuple[int, int, int, int]:
        """What a refused departure must leave as it was."""
        return (
            Membership.objects.filter(until__isnull=True).count(),
            Position.objects.filter(until__isnull=True).count(),
            User.objects.filter(is_active=True).count(),
            AuditEvent.objects.count(),
        )

    def log_in(self, login: str) -> bool:
        client = Client()
        client.post(reverse("accounts:login"), {"username": login, "password": PASSWORD})
        return "_auth_user_id" in client.session


class DepartureServiceTests(DepartureTestCase):
    def test_positions_end_with_the_membership(self) -> None:
        secretary = self.world.secretary_member
        effective = self.today() - dt.timedelta(days=3)
        member_depart(
            actor=self.user("org_admin"),
            member=secretary,
            reason=Departure.DEATH,
            effective=effective,
            note="2026年追悼会",
        )
        closed = Membership.objects.get(member=secretary)
        self.assertEqual(
            (closed.until, closed.departure, closed.note), (effective, "death", "2026年追悼会")
        )
        position = Position.objects.get(member=secretary, role="secretary")
        self.assertEqual(position.until, effective - dt.timedelta(days=1))
        self.assertFalse(Position.objects.current().filter(member=secretary).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="position.end").exists())

    def test_bad_input_stores_nothing(self) -> None:
        member = self.world.member
        cases: list[tuple[dict[str, Any], str]] = [
            ({"reason": ""}, "reason"),
            ({"reason": "bored"}, "reason"),
            ({"effective": self.today() + dt.timedelta(days=1)}, "effective"),
            ({"effective": dt.date(2000, 1, 1)}, "effective"),  # before the membership began
        ]
        before = self.stored()
        for overrides, field in cases:
            with self.subTest(field=field, overrides=overrides):
                arguments: dict[str, Any] = {
                    "reason": Departure.TRANSFER_OUT,
                    "effective": self.today(),
                    **overrides,
                }
                with self.assertRaises(ValidationError) as caught:
                    member_depart(actor=self.user("org_admin"), member=member, **arguments)
                self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(self.stored(), before)

    def test_a_member_leaves_once(self) -> None:
        member = make_member(self.world.branch, "钱一")
        member_depart(
            actor=self.user("secretary"),
            member=member,
            reason=Departure.WITHDRAWAL,
            effective=self.today(),
        )
        with self.assertRaises(ValidationError) as caught:
            member_depart(
                actor=self.user("secretary"),
                member=member,
                reason=Departure.REMOVAL,
                effective=self.today(),
            )
        self.assertIn("member", caught.exception.message_dict)

    def test_nobody_records_their_own_departure(self) -> None:
        before = self.stored()
        with self.assertRaises(ValidationError) as caught:
            member_depart(
                actor=self.user("secretary"),
                member=self.world.secretary_member,
                reason=Departure.TRANSFER_OUT,
                effective=self.today(),
            )
        self.assertIn("member", caught.exception.message_dict)
        self.assertEqual(self.stored(), before)
        url = reverse("members:depart", args=[self.world.secretary_member.pk])
        self.assertEqual(self.client_for("secretary").get(url).status_code, 404)
        detail = reverse("members:detail", args=[self.world.secretary_member.pk])
        self.assertNotContains(self.client_for("secretary").get(detail), url)
        self.assertContains(self.client_for("org_admin").get(detail), url)


class DeparturePageTests(DepartureTestCase):
    def url(self, member: Member) -> str:
        return reverse("members:depart", args=[member.pk])

    def post(self, persona: str, member: Member, **overrides: Any) -> Any:
        data = {
            "reason": "transfer_out",
            "effective": self.today().isoformat(),
            "note": "转至外县",
            "confirm": "on",
        }
        data.update(overrides)
        return self.client_for(persona).post(self.url(member), data)

    def test_personas_see_the_page(self) -> None:
        self.expect_personas(
            self.url(self.world.member),
            {
                "anonymous": 302,
                "member": 404,  # their own record, not theirs to end
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_personas_posting(self) -> None:
        for persona, status in (
            ("anonymous", 302),
            ("member", 404),
            ("other_secretary", 404),
            ("viewer", 404),
        ):
            with self.subTest(persona=persona):
                self.assertEqual(self.post(persona, self.world.member).status_code, status)
        self.assertFalse(Membership.objects.filter(member=self.world.member).exclude(departure=""))
        for persona in ("secretary", "org_admin"):
            with self.subTest(persona=persona):
                member = make_member(self.world.branch, f"离开{persona}")
                response = self.post(persona, member)
                self.assertRedirects(response, reverse("members:detail", args=[member.pk]))
                self.assertEqual(Membership.objects.get(member=member).departure, "transfer_out")

    def test_the_button_shows_only_to_those_who_may_use_it(self) -> None:
        detail = reverse("members:detail", args=[self.world.member.pk])
        for persona, shown in (
            ("secretary", True),
            ("org_admin", True),
            ("viewer", False),
            ("member", False),
        ):
            with self.subTest(persona=persona):
                page = self.client_for(persona).get(detail)
                self.assertEqual(page.status_code, 200)
                self.assertEqual(self.url(self.world.member) in page.content.decode(), shown)

    def test_the_journey_shows_the_member_departed_and_stops_the_login(self) -> None:
        member = make_member(self.world.branch, "周全", mobile="13700000077")
        make_user("zhouquan", member=member)
        self.assertTrue(self.log_in("zhouquan"))
        signed_in = Client()
        signed_in.force_login(User.objects.get(username="zhouquan"))

        response = self.post("secretary", member, reason="death", note="")
        self.assertEqual(response.status_code, 302)

        page = self.client_for("secretary").get(response["Location"]).content.decode()
        self.assertIn('id="departed"', page)
        self.assertNotIn(self.url(member), page, "no departure button for one who has left")
        self.assertNotIn(reverse("members:edit", args=[member.pk]), page)
        listing = self.client_for("org_admin").get(reverse("members:list"), {"q": "周全"})
        self.assertContains(listing, "badge text-bg-dark")
        # The login stops the same day: no new sign-in, and an open session ends.
        self.assertFalse(User.objects.get(username="zhouquan").is_active)
        self.assertFalse(self.log_in("zhouquan"))
        self.assertFalse(self.log_in("13700000077"))
        self.assertEqual(signed_in.get(reverse("members:mine")).status_code, 302)
        # A second departure is not offered.
        self.assertEqual(self.client_for("secretary").get(self.url(member)).status_code, 404)

    def test_bad_input_shows_the_form_again_and_stores_nothing(self) -> None:
        member = self.world.member
        before = self.stored()
        for overrides, message_field in (
            ({"reason": ""}, "reason"),
            ({"reason": "holiday"}, "reason"),
            ({"effective": (self.today() + dt.timedelta(days=1)).isoformat()}, "effective"),
            ({"effective": "2000-01-01"}, "effective"),
            ({"effective": "yesterday"}, "effective"),
            ({"confirm": ""}, "confirm"),
        ):
            with self.subTest(overrides=overrides):
                response = self.post("org_admin", member, **overrides)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message_field, response.context["form"].errors)
        self.assertEqual(self.stored(), before)
        self.assertTrue(self.log_in("member"))


class DepartureApiTests(DepartureTestCase):
    def depart(self, persona: str, member: Member, **overrides: Any) -> Any:
        body = {"reason": "removal", "effective": self.today().isoformat(), "note": "支部决定"}
        body.update(overrides)
        return self.client_for(persona).post(
            f"{API}{member.pk}/depart", data=json.dumps(body), content_type="application/json"
        )

    def test_personas(self) -> None:
        for persona, status in (
            ("anonymous", 401),
            ("member", 403),  # sees their own record, may not change it
            ("other_secretary", 404),
            ("viewer", 403),
        ):
            with self.subTest(persona=persona):
                self.assertEqual(self.depart(persona, self.world.member).status_code, status)
        self.assertTrue(Membership.objects.filter(member=self.world.member, until__isnull=True))
        for persona in ("secretary", "org_admin"):
            with self.subTest(persona=persona):
                member = make_member(self.world.branch, f"接口{persona}")
                response = self.depart(persona, member)
                self.assertEqual(response.status_code, 200, response.content)
                data = response.json()
                self.assertEqual(
                    (data["until"], data["departure"], data["note"]),
                    (self.today().isoformat(), "removal", "支部决定"),
                )
                self.assertTrue(data["departure_label"])

    def test_the_login_stops(self) -> None:
        response = self.depart("org_admin", self.world.member, reason="transfer_out")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.get(pk=self.user("member").pk).is_active)
        self.assertFalse(self.log_in("member"))
        again = self.depart("org_admin", self.world.member)
        self.assertEqual(again.status_code, 422)

    def test_bad_input_is_refused_and_nothing_stored(self) -> None:
        before = self.stored()
        for overrides, field in (
            ({"reason": ""}, "reason"),
            ({"reason": "holiday"}, "reason"),
            ({"effective": (self.today() + dt.timedelta(days=1)).isoformat()}, "effective"),
            ({"effective": "not a date"}, "effective"),
        ):
            with self.subTest(overrides=overrides):
                response = self.depart("secretary", self.world.member, **overrides)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, json.dumps(response.json()))
        self.assertEqual(self.stored(), before)
