"""API v1 of the 调训情况通报: personas, figures (as by hand in `test_circular_fixtures`), files,
bad input and audit."""

from __future__ import annotations

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase

from .test_circular_fixtures import YEAR, CircularFixture, build_circular

CLASS_PERSONAS = {
    "anonymous": 401,
    "member": 403,
    "secretary": 403,
    "other_secretary": 403,
    "org_admin": 200,
    "viewer": 200,
}


class CircularApiTests(PersonaTestCase):
    fx: CircularFixture

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fx = build_circular(cls.world)

    def class_url(self, suffix: str = "") -> str:
        return f"/api/v1/training/classes/{self.fx.training_class.pk}/circular{suffix}"

    def test_class_personas_and_figures(self) -> None:
        self.expect_personas(self.class_url(), CLASS_PERSONAS)
        body = self.client_for("viewer").get(self.class_url()).json()
        self.assertEqual(
            [
                (
                    u["org"]["name"],
                    u["places"],
                    u["nominated"],
                    u["named"],
                    u["attended"],
                    u["completed"],
                    u["absent"],
                )
                for u in body["units"]
            ],
            [
                ("第一党支部", 3, 3, 0, 2, 2, 0),
                ("第二党支部", 2, 2, 0, 0, 0, 2),
                ("测试委党委", 0, 1, 1, 0, 0, 1),
            ],
        )
        self.assertEqual(body["total"]["absent"], 3)
        self.assertIsNone(body["total"]["org"])
        self.assertEqual([a["member"]["name"] for a in body["absentees"]], ["周八", "赵强", "孙丽"])
        self.assertEqual(body["default_dated"], f"{YEAR}-05-12")

    def test_class_file_personas_and_audit(self) -> None:
        self.expect_personas(self.class_url("/file?format=xlsx"), CLASS_PERSONAS)
        self.assertEqual(AuditEvent.objects.filter(verb="training.circular_export").count(), 2)
        response = self.client_for("org_admin").get(
            self.class_url("/file"),
            {"format": "docx", "dated": "2025-05-20", "addressee": "各党支部"},
        )
        self.assertTrue(response.content.startswith(b"PK"))
        self.assertEqual(
            AuditEvent.objects.filter(verb="training.circular_export").latest("id").after["dated"],
            "2025-05-20",
        )

    def test_bad_input(self) -> None:
        client = self.client_for("org_admin")
        for params, field in (
            ({"format": "exe"}, "format"),
            ({"format": "pdf", "addressee": "单" * 301}, "addressee"),
            ({"format": "pdf", "dated": "2025-13-01"}, "dated"),
        ):
            with self.subTest(field=field):
                response = client.get(self.class_url("/file"), params)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"][-1], field)
        self.assertFalse(AuditEvent.objects.filter(verb="training.circular_export").exists())

    def test_year_personas_and_figures(self) -> None:
        url = f"/api/v1/training/circular?org={self.world.root.pk}&year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        body = self.client_for("org_admin").get(url).json()
        self.assertEqual(body["total"]["nominated"], 7)
        self.assertEqual(len(body["classes"]), 2)
        response = self.client_for("viewer").get(
            "/api/v1/training/circular/file",
            {"org": self.world.root.pk, "year": YEAR, "format": "pdf"},
        )
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertEqual(
            self.client_for("viewer").get("/api/v1/training/circular").status_code, 422
        )
