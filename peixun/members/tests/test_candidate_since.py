"""成为发展对象日期 (`Member.candidate_since`): the day a person became a candidate for admission,
from which the 发展对象 rule counts their concentrated training. Kept by the member form, the
API and the roster import (column 成为发展对象日期), shown on the member page, checked against
the 入党 date and the status, and backfilled for today's candidates by the migration."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from typing import Any

from django.apps import apps
from django.urls import reverse
from openpyxl import Workbook

from peixun.core.models import AuditEvent
from peixun.members.documents import CHINESE_HEADERS, ROSTER_FIELDS
from peixun.members.models import Member, Membership
from peixun.members.services import roster_import
from peixun.testing import PersonaTestCase, make_member, new_id_number

API = "/api/v1/members/"


def body(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "周新",
        "id_number": new_id_number(dt.date(1990, 4, 1)),
        "status": "candidate",
        "candidate_since": "2025-09-01",
    }
    values.update(fields)
    return values


class CandidateSinceTests(PersonaTestCase):
    def post(self, persona: str, url: str, data: dict[str, Any], method: str = "post") -> Any:
        return getattr(self.client_for(persona), method)(
            url, data=json.dumps(data), content_type="application/json"
        )

    def test_the_api_takes_and_gives_it(self) -> None:
        response = self.post("secretary", API, body(org=self.world.branch.pk))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["candidate_since"], "2025-09-01")
        member = Member.objects.get(pk=response.json()["id"])
        self.assertEqual(member.candidate_since, dt.date(2025, 9, 1))
        event = AuditEvent.objects.get(verb="member.create", object_id=str(member.pk))
        self.assertIsInstance(event.after, dict)
        self.assertEqual(event.after["candidate_since"], "2025-09-01")  # type: ignore[index]
        # Admitted later: the 入党 date may not come before it.
        patched = self.post(
            "secretary",
            f"{API}{member.pk}",
            {"status": "probationary", "joined_on": "2025-06-01"},
            method="patch",
        )
        self.assertEqual(patched.status_code, 422)
        self.assertIn("candidate_since", patched.content.decode())
        member.refresh_from_db()
        self.assertEqual(member.status, "candidate")
        patched = self.post(
            "secretary",
            f"{API}{member.pk}",
            {"status": "probationary", "joined_on": "2026-06-01"},
            method="patch",
        )
        self.assertEqual(patched.status_code, 200, patched.content)
        self.assertEqual(patched.json()["candidate_since"], "2025-09-01")

    def test_an_activist_has_none(self) -> None:
        before = Member.objects.count()
        response = self.post("secretary", API, body(org=self.world.branch.pk, status="activist"))
        self.assertEqual(response.status_code, 422)
        self.assertIn("candidate_since", response.content.decode())
        self.assertEqual(Member.objects.count(), before)

    def test_the_form_and_the_page(self) -> None:
        member = make_member(
            self.world.branch, "钱进", status="candidate", joined_on=None, confirmed_on=None
        )
        url = reverse("members:edit", args=[member.pk])
        page = self.client_for("secretary").get(url).content.decode()
        self.assertIn('name="candidate_since"', page)
        data = {
            "name": member.name,
            "gender": member.gender,
            "birth_date": member.birth_date.isoformat(),
            "ethnicity": member.ethnicity,
            "mobile": member.mobile,
            "education": member.education,
            "status": member.status,
            "candidate_since": "2026-03-01",
            "joined_on": "",
            "confirmed_on": "",
            "cadre_rank": member.cadre_rank,
            "employment": member.employment,
            "exempt_reason": member.exempt_reason,
        }
        response = self.client_for("secretary").post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        member.refresh_from_db()
        self.assertEqual(member.candidate_since, dt.date(2026, 3, 1))
        detail = self.client_for("secretary").get(reverse("members:detail", args=[member.pk]))
        html = detail.content.decode()
        self.assertIn("成为发展对象日期", html)
        self.assertIn("2026-03-01", html)
        # A date in the future is refused on the field.
        data["candidate_since"] = "2099-01-01"
        response = self.client_for("secretary").post(url, data)
        self.assertIn("candidate_since", response.context["form"].errors)

    def test_the_roster_import_reads_the_column(self) -> None:
        self.assertIn("成为发展对象日期", CHINESE_HEADERS)
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(CHINESE_HEADERS))
        row = {
            "name": "孙新",
            "id_number": new_id_number(dt.date(1992, 1, 1)),
            "status": "发展对象",
            "candidate_since": "2025年10月8日",
            "org": "T010101",
        }
        sheet.append([row.get(field, "") for field in ROSTER_FIELDS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        result = roster_import(
            actor=self.user("secretary"), data=buffer.getvalue(), filename="r.xlsx", dry_run=False
        )
        self.assertTrue(result.ok, result.errors)
        member = Member.objects.get(name="孙新")
        self.assertEqual(member.candidate_since, dt.date(2025, 10, 8))

    def test_the_migration_backfills_todays_candidates(self) -> None:
        migration = importlib.import_module("peixun.members.migrations.0004_member_candidate_since")
        candidate = make_member(
            self.world.branch, "发展对象", status="candidate", joined_on=None, confirmed_on=None
        )
        Membership.objects.filter(member=candidate).update(since=dt.date(2024, 5, 6))
        full = make_member(self.world.branch, "党员")
        migration.backfill(apps, None)
        candidate.refresh_from_db()
        full.refresh_from_db()
        self.assertEqual(candidate.candidate_since, dt.date(2024, 5, 6))
        self.assertIsNone(full.candidate_since)
