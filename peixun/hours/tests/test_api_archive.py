"""API v1 of the 培训档案 and the 学时证明: personas, the figures (as by hand in
`test_archive_selectors`), bad input (422 naming the field, nothing stored) and audit."""

from __future__ import annotations

import json

from peixun.core.models import AuditEvent
from peixun.hours.models import HoursCertificate
from peixun.testing import PersonaTestCase, download_names

from .test_archive_selectors import build_ledger

MEMBERS = "/api/v1/compliance/members/"
CERTIFICATES = "/api/v1/hours/certificates"
READERS = {
    "anonymous": 401,
    "member": 200,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


class ArchiveApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_ledger(cls.world)

    def url(self, suffix: str = "", **params: str) -> str:
        query = "&".join(
            f"{k}={v}" for k, v in {"first_year": "2024", "last_year": "2025", **params}.items()
        )
        return f"{MEMBERS}{self.world.member.pk}/archive{suffix}?{query}"

    def test_personas(self) -> None:
        self.expect_personas(self.url(), READERS)
        self.expect_personas(self.url("/file"), READERS)
        self.assertEqual(AuditEvent.objects.filter(verb="hours.archive_export").count(), 4)

    def test_figures(self) -> None:
        body = self.client_for("member").get(self.url()).json()
        self.assertEqual(body["member"]["name"], "李明")
        self.assertEqual(body["figures"]["total"], "47.50")
        self.assertEqual([y["total"] for y in body["years"]], ["37.00", "10.50"])
        self.assertEqual(
            [e["source"] for e in body["years"][1]["entries"]], ["manual", "meeting", "test"]
        )
        self.assertNotIn("id_number", json.dumps(body))

    def test_bad_input(self) -> None:
        client = self.client_for("secretary")
        for url, field in (
            (self.url(first_year="2025", last_year="2024"), "last_year"),
            (self.url(first_year="2010", last_year="2024"), "last_year"),
            (self.url("/file", format="exe"), "format"),
        ):
            with self.subTest(url=url):
                response = client.get(url)
                self.assertEqual(response.status_code, 422)
                self.assertEqual(response.json()["detail"][0]["loc"], ["query", field])
        self.assertEqual(client.get(f"{MEMBERS}{self.world.member.pk}/archive").status_code, 422)
        self.assertFalse(AuditEvent.objects.filter(verb="hours.archive_export").exists())

    def test_file(self) -> None:
        response = self.client_for("viewer").get(self.url("/file", format="docx"))
        self.assertTrue(response.content.startswith(b"PK"))
        plain, chinese = download_names(response)
        self.assertTrue(plain.startswith(f"archive-{self.world.member.pk}-"), plain)
        self.assertTrue(chinese.startswith("培训档案-李明-"), chinese)
        self.assertTrue(chinese.endswith(".docx"), chinese)


class CertificateApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_ledger(cls.world)

    def issue(self, persona: str, **body: object) -> object:
        data = {"member": self.world.member.pk, "first_year": 2024, "last_year": 2025, **body}
        return self.client_for(persona).post(
            CERTIFICATES, json.dumps(data), content_type="application/json"
        )

    def test_issue_personas(self) -> None:
        self.expect_personas(
            CERTIFICATES,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 201,
                "other_secretary": 422,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            data=json.dumps(
                {
                    "member": self.world.member.pk,
                    "first_year": 2024,
                    "last_year": 2025,
                    "issued_on": "2026-01-05",
                }
            ),
            content_type="application/json",
        )
        serials = list(HoursCertificate.objects.order_by("id").values_list("serial", flat=True))
        self.assertEqual(serials, ["T01-2026-0001", "T01-2026-0002"])

    def test_issue_and_read_back(self) -> None:
        response = self.issue("org_admin", issued_on="2025-12-31", last_year=2024)
        self.assertEqual(response.status_code, 201, response.content)  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        self.assertEqual(
            (body["serial"], body["total"], body["org"]["name"]),
            ("T01-2025-0001", "37.00", "测试县直机关工委"),
        )
        self.assertEqual(
            [(k["kind"], k["hours"]) for k in body["by_kind"]],
            [("concentrated_training", "32.00"), ("central_group", "2.00"), ("self_study", "3.00")],
        )
        one = f"{CERTIFICATES}/{body['id']}"
        self.expect_personas(one, READERS)
        self.expect_personas(f"{one}/file", READERS)
        self.assertEqual(AuditEvent.objects.filter(verb="hours.certificate_export").count(), 4)
        listed = self.client_for("member").get(CERTIFICATES, {"serial": "T01-2025"}).json()
        self.assertEqual([c["serial"] for c in listed["items"]], ["T01-2025-0001"])
        self.assertEqual(self.client_for("other_secretary").get(CERTIFICATES).json()["count"], 0)

    def test_bad_input_stores_nothing(self) -> None:
        for body, field in (
            ({"issued_on": "2099-01-01"}, "issued_on"),
            ({"first_year": 2025, "last_year": 2024}, "last_year"),
            ({"member": 987654321}, "member"),
            ({"first_year": "2024"}, "first_year"),
        ):
            with self.subTest(body=body):
                response = self.issue("org_admin", **body)
                self.assertEqual(response.status_code, 422, response.content)  # type: ignore[attr-defined]
                locs = [d["loc"][-1] for d in response.json()["detail"]]  # type: ignore[attr-defined]
                self.assertIn(field, locs)
        self.assertFalse(HoursCertificate.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="hours.certificate_issue").exists())
