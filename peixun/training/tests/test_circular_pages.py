"""Pages of the 调训情况通报: personas, the table shown, files, bad input, audit."""

from __future__ import annotations

from django.urls import reverse

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase

from .test_circular_fixtures import YEAR, CircularFixture, build_circular

# The class is seen by the units with places and the enrolled, but read only by the organiser's.
CLASS_PERSONAS = {
    "anonymous": 302,
    "member": 403,
    "secretary": 403,
    "other_secretary": 403,
    "org_admin": 200,
    "viewer": 200,
}


class CircularPageTests(PersonaTestCase):
    fx: CircularFixture

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fx = build_circular(cls.world)

    def test_class_page_personas_and_table(self) -> None:
        url = reverse("training:circular", args=[self.fx.training_class.pk])
        self.expect_personas(url, CLASS_PERSONAS)
        response = self.client_for("viewer").get(url)
        body = response.content.decode()
        self.assertIn("测试委党委", body)
        self.assertIn("孙丽", body)
        self.assertIn(f'value="{YEAR}-05-12"', body)
        self.assertEqual(response.context["total"].absent, 3)

    def test_class_files_personas_and_audit(self) -> None:
        for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK")):
            url = reverse("training:circular_file", args=[self.fx.training_class.pk, fmt])
            with self.subTest(fmt=fmt):
                self.expect_personas(url, CLASS_PERSONAS)
                response = self.client_for("org_admin").get(
                    url, {"dated": "2025-05-20", "addressee": "各党支部"}
                )
                self.assertTrue(response.content.startswith(magic))
        event = AuditEvent.objects.filter(verb="training.circular_export").latest("id")
        self.assertEqual(event.after["dated"], "2025-05-20")
        self.assertEqual(len(event.after["members"]), 3)

    def test_bad_input_shows_the_form_and_records_nothing(self) -> None:
        url = reverse("training:circular_file", args=[self.fx.training_class.pk, "pdf"])
        client = self.client_for("org_admin")
        for params in ({"dated": "not-a-date"}, {"addressee": "单" * 301}):
            with self.subTest(params=params):
                response = client.get(url, params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "invalid-feedback", status_code=400)
        bad = reverse("training:circular_file", args=[self.fx.training_class.pk, "exe"])
        self.assertEqual(client.get(bad).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="training.circular_export").exists())

    def test_year_page_personas(self) -> None:
        url = reverse("training:year_circular") + f"?org={self.world.root.pk}&year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        own = reverse("training:year_circular") + f"?org={self.world.branch.pk}&year={YEAR}"
        self.expect_personas(
            own,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        # Without an org: the actor's own top org.
        response = self.client_for("org_admin").get(
            reverse("training:year_circular"), {"year": YEAR}
        )
        self.assertEqual(response.context["circular"].organiser, self.world.root)
        self.assertEqual(response.context["total"].nominated, 7)
        self.assertEqual(
            self.client_for("member").get(reverse("training:year_circular")).status_code, 404
        )

    def test_year_files(self) -> None:
        url = reverse("training:year_circular_file", args=["xlsx"])
        response = self.client_for("viewer").get(url, {"org": self.world.root.pk, "year": YEAR})
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"circular-T01-{YEAR}.xlsx", response["Content-Disposition"])
        event = AuditEvent.objects.get(verb="training.circular_export")
        assert event.after is not None
        self.assertEqual(event.after["year"], YEAR)
        self.assertEqual(
            self.client_for("other_secretary").get(url, {"org": self.world.root.pk}).status_code,
            404,
        )
