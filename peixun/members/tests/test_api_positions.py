"""Positions (书记, 组织委员 …) given and ended through the API, as on the member page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from peixun.core.models import AuditEvent
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase

API = "/api/v1/members/"


class PositionApiTests(PersonaTestCase):
    def body(self, **overrides: Any) -> str:
        data = {
            "org": self.world.branch.pk,
            "role": "organization",
            "kind": "part_time",
            "since": "2026-01-01",
        }
        data.update(overrides)
        return json.dumps(data)

    def assign(self, persona: str, **overrides: Any) -> Any:
        return self.client_for(persona).post(
            f"{API}{self.world.member.pk}/positions",
            data=self.body(**overrides),
            content_type="application/json",
        )

    def test_personas_assign(self) -> None:
        expected = {
            "anonymous": 401,
            "member": 403,  # sees their own record, may not change it
            "other_secretary": 404,  # another branch's member does not exist for them
            "viewer": 403,
            "secretary": 201,
            "org_admin": 201,
        }
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(self.assign(persona).status_code, status)
        self.assertEqual(
            Position.objects.filter(member=self.world.member, role="organization").count(), 2
        )
        self.assertEqual(AuditEvent.objects.filter(verb="position.assign").count(), 2)

    def test_assign_answers_the_position(self) -> None:
        response = self.assign("secretary")
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertEqual(
            (data["member_id"], data["org_id"], data["role"], data["since"], data["until"]),
            (self.world.member.pk, self.world.branch.pk, "organization", "2026-01-01", None),
        )
        self.assertEqual(data["org_name"], self.world.branch.name)

    def test_bad_input_is_refused_and_nothing_stored(self) -> None:
        before = Position.objects.count()
        for overrides, field in (
            ({"role": "king"}, "role"),
            ({"kind": "forever"}, "kind"),
            ({"until": "2025-01-01"}, "until"),
            ({"org": self.world.far_branch.pk}, "org"),  # outside the secretary's scope
            ({"org": 999999}, "org"),
        ):
            with self.subTest(field=field):
                response = self.assign("secretary", **overrides)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, json.dumps(response.json()))
        self.assertEqual(Position.objects.count(), before)

    def test_end(self) -> None:
        position = Position.objects.get(member=self.world.secretary_member, role="secretary")
        url = f"{API}{self.world.secretary_member.pk}/positions/{position.pk}/end"
        body = json.dumps({"until": "2026-06-30"})
        for persona, status in (
            ("anonymous", 401),
            ("member", 404),
            ("other_secretary", 404),
            ("viewer", 404),
        ):
            with self.subTest(persona=persona):
                got = self.client_for(persona).post(url, data=body, content_type="application/json")
                self.assertEqual(got.status_code, status)
        early = self.client_for("org_admin").post(
            url, data=json.dumps({"until": "2000-01-01"}), content_type="application/json"
        )
        self.assertEqual(early.status_code, 422)
        done = self.client_for("org_admin").post(url, data=body, content_type="application/json")
        self.assertEqual(done.status_code, 200, done.content)
        position.refresh_from_db()
        self.assertEqual(position.until, dt.date(2026, 6, 30))
        # An ended position cannot be ended again.
        again = self.client_for("secretary").post(url, data=body, content_type="application/json")
        self.assertEqual(again.status_code, 404)
