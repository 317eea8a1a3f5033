"""Pages and API routes of the external records import, for every persona, and one run of a
real task through django-tasks' database backend and its worker."""

from __future__ import annotations

import json
from typing import ClassVar
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from peixun.learning.models import ExternalRecord, ExternalSource, ImportBatch, ImportLine
from peixun.members.models import Member
from peixun.testing import PersonaTestCase, make_member

from .import_fixtures import export_xlsx, make_source, review_batch, upload

ALL_STAFF = {"secretary": 200, "other_secretary": 200, "org_admin": 200}
NOT_IMPORTERS = {"anonymous": 302, "member": 404, "viewer": 404}
ROOT_ONLY = {**NOT_IMPORTERS, "secretary": 404, "other_secretary": 404, "org_admin": 200}
API_ROOT_ONLY = {**ROOT_ONLY, "anonymous": 401}


class ImportPagesTest(PersonaTestCase):
    ids: ClassVar[dict[str, int]]
    batch: ClassVar[ImportBatch]
    line: ClassVar[ImportLine]
    wang: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.ids = review_batch(w.root)
        cls.batch = ImportBatch.objects.get(pk=cls.ids["import_batch"])
        cls.line = ImportLine.objects.get(pk=cls.ids["import_line"])
        cls.wang = make_member(w.branch, "王伟", mobile="13800000011")

    def test_personas_on_every_page(self) -> None:
        self.expect_personas(reverse("learning:imports"), {**NOT_IMPORTERS, **ALL_STAFF})
        self.expect_personas(reverse("learning:import_source_new"), {**NOT_IMPORTERS, **ALL_STAFF})
        pk = self.batch.pk
        for name, arg in (
            ("import_source", self.ids["import_source"]),
            ("import_batch", pk),
            ("import_progress", pk),
            ("import_review", pk),
        ):
            with self.subTest(name):
                self.expect_personas(reverse(f"learning:{name}", args=[arg]), ROOT_ONLY)

    def test_posts_are_refused_outside_scope(self) -> None:
        refused = {**NOT_IMPORTERS, "secretary": 404, "other_secretary": 404}
        for url in (
            reverse("learning:import_apply", args=[self.batch.pk]),
            reverse("learning:import_pick", args=[self.line.pk]),
        ):
            for persona, status in refused.items():
                got = self.client_for(persona).post(url, {"skip": "1"}).status_code
                self.assertEqual(got, status, f"{persona} {url}")
        self.line.refresh_from_db()
        self.assertEqual(self.line.state, ImportLine.State.REVIEW)

    def test_the_whole_flow_through_the_pages(self) -> None:
        client = self.client_for("org_admin")
        source = ExternalSource.objects.get(pk=self.ids["import_source"])
        data = export_xlsx([["王伟", "", "", "", "2025-03-01", 2, 10, ""]])
        response = client.post(
            reverse("learning:imports"),
            {"source": source.pk, "period": "2025", "file": upload(data)},
        )
        batch = ImportBatch.objects.latest("pk")
        self.assertRedirects(response, reverse("learning:import_batch", args=[batch.pk]))
        page = client.get(reverse("learning:import_batch", args=[batch.pk])).content.decode()
        self.assertIn("王伟", page)
        batch.refresh_from_db()
        # A name without a unit is never enough: the one 王伟 is offered for review.
        self.assertEqual((batch.matched, batch.review), (0, 1))
        line = batch.lines.get()
        self.assertEqual(line.candidates, [self.wang.pk])
        review = client.get(reverse("learning:import_review", args=[batch.pk])).content.decode()
        self.assertIn("第一党支部", review)
        picked = client.post(
            reverse("learning:import_pick", args=[line.pk]), {"member": self.wang.pk}
        )
        self.assertRedirects(picked, reverse("learning:import_batch", args=[batch.pk]))
        client.post(reverse("learning:import_apply", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.new), (ImportBatch.Status.APPLIED, 1))
        self.assertEqual(ExternalRecord.objects.get(member=self.wang).hours, 2)

    def test_bad_period_is_a_field_error(self) -> None:
        source = ExternalSource.objects.get(pk=self.ids["import_source"])
        response = self.client_for("org_admin").post(
            reverse("learning:imports"),
            {"source": source.pk, "period": "last year", "file": upload(b"x")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("2025-03", response.content.decode())
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_source_form_remembers_the_mapping(self) -> None:
        client = self.client_for("secretary")
        fields = {f"map_{f}": h for f, h in make_source.__globals__["default_mapping"]().items()}
        fields.update(
            {
                "org": self.world.branch.pk,
                "name": "干部网络学院",
                "platform": "cadre_academy",
                "map_hours": "获得学时",
            }
        )
        response = client.post(reverse("learning:import_source_new"), fields)
        self.assertRedirects(response, reverse("learning:imports"))
        source = ExternalSource.objects.get(name="干部网络学院")
        self.assertEqual((source.org, source.mapping["hours"]), (self.world.branch, "获得学时"))
        # A branch the secretary does not manage is not offered.
        fields.update({"org": self.world.other_branch.pk, "name": "别处"})
        response = client.post(reverse("learning:import_source_new"), fields)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ExternalSource.objects.filter(name="别处").exists())

    def test_api_personas(self) -> None:
        pk = self.batch.pk
        for url in (
            f"/api/v1/learning/imports/batches/{pk}",
            f"/api/v1/learning/imports/batches/{pk}/lines",
        ):
            self.expect_personas(url, API_ROOT_ONLY)
        self.expect_personas(
            "/api/v1/learning/imports/sources",
            {"anonymous": 401, "member": 404, "viewer": 404, **ALL_STAFF},
        )

    def test_api_pick_and_apply(self) -> None:
        client = self.client_for("org_admin")
        url = f"/api/v1/learning/imports/lines/{self.line.pk}/pick"
        far = self.world.far_member
        refused = client.post(url, json.dumps({"member": 987654}), content_type="application/json")
        self.assertEqual(refused.status_code, 422)
        picked = client.post(
            url, json.dumps({"member": self.wang.pk}), content_type="application/json"
        )
        self.assertEqual(picked.status_code, 200, picked.content)
        self.assertEqual(picked.json()["state"], "matched")
        self.assertNotEqual(far.pk, self.wang.pk)
        applied = client.post(f"/api/v1/learning/imports/batches/{self.batch.pk}/apply")
        self.assertEqual(applied.status_code, 202, applied.content)
        self.assertEqual(applied.json()["status"], "applied")  # the test backend runs it at once


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
class ImportWorkerTest(PersonaTestCase):
    def test_a_real_task_through_the_database_backend(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker  # noqa: PLC0415
        from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

        w = self.world
        source = make_source(w.root)
        client = self.client_for("org_admin")
        data = export_xlsx([["李明", w.member.reveal_id_number(), "", "", "2025-03-01", 2, 10, ""]])
        client.post(
            reverse("learning:imports"),
            {"source": source.pk, "period": "2025", "file": upload(data)},
        )
        batch = ImportBatch.objects.get()
        self.assertEqual(batch.status, ImportBatch.Status.QUEUED)  # waiting for the worker
        self.assertEqual(DBTaskResult.objects.count(), 1)
        progress = client.get(
            reverse("learning:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
        )
        self.assertIn('hx-trigger="every 2s"', progress.content.decode())
        # The worker closes connections it finds outside autocommit; inside a test's transaction
        # that is every connection (PostgreSQL then fails the rest of the test), so not here.
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            Worker(
                queue_names=["default"], interval=0, batch=True, backend_name="default",
                startup_delay=False, max_tasks=1, worker_id="test", excluded_queue_names=[],
            ).run()  # fmt: skip
        batch.refresh_from_db()
        self.assertEqual(
            (batch.status, batch.matched, batch.new), (ImportBatch.Status.CHECKED, 1, 1)
        )
        self.assertEqual(DBTaskResult.objects.get().status, "SUCCESSFUL")
        done = client.get(
            reverse("learning:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
        )
        self.assertEqual(done["HX-Refresh"], "true")
