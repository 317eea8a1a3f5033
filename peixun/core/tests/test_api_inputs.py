"""API v1 refuses malformed and out-of-range input with a 4xx naming it, and stores nothing.

One test per class of bug schemathesis found (issue 13): integers past 2^63 in ids, offsets and
limits; years outside what a date can hold; multipart bodies without a boundary; JSON values of
the wrong type coerced into ids (`{"new_parent": true}` moved an org under org 1).
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from peixun.core.apiutils import MAX_ID
from peixun.core.models import AuditEvent
from peixun.members.models import Member
from peixun.testing import PersonaTestCase

API = "/api/v1"


def error_locations(response: Any) -> list[list[str | int]]:
    return [item["loc"] for item in response.json()["detail"]]


class ApiInputTests(PersonaTestCase):
    def setUp(self) -> None:
        self.admin: Client = self.client_for("org_admin")

    def post_json(self, url: str, body: Any) -> Any:
        return self.admin.post(url, data=json.dumps(body), content_type="application/json")

    def test_ids_in_the_path_past_the_database_range_are_422(self) -> None:
        for org_id in (MAX_ID + 1, 2**64, 10**30, 0):
            with self.subTest(org_id=org_id):
                response = self.admin.get(f"{API}/orgs/{org_id}")
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_locations(response), [["path", "org_id"]])
        # The largest id the database holds is a plain "not found".
        self.assertEqual(self.admin.get(f"{API}/orgs/{MAX_ID}").status_code, 404)

    def test_ids_in_the_query_string_past_the_range_are_422(self) -> None:
        response = self.admin.get(f"{API}/members/?org={MAX_ID + 1}")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(error_locations(response), [["query", "org"]])

    def test_offsets_and_limits_past_the_range_are_422(self) -> None:
        for query in (
            f"offset={MAX_ID}",
            f"offset={2**63}",
            f"limit={2**63}",
            "limit=0",
            "offset=-1",
        ):
            with self.subTest(query=query):
                response = self.admin.get(f"{API}/orgs/?{query}")
                self.assertEqual(response.status_code, 422, response.content)
        # A far offset inside the range is an empty page; a huge limit still answers a page.
        far = self.admin.get(f"{API}/orgs/?offset={MAX_ID - 500}").json()
        self.assertEqual(far["items"], [])
        self.assertGreater(far["count"], 0)
        self.assertEqual(self.admin.get(f"{API}/orgs/?limit={MAX_ID}").status_code, 200)

    def test_years_a_date_cannot_hold_are_422(self) -> None:
        branch = self.world.branch.pk
        for year in (0, -1, 9999, 10000, 2**63):
            with self.subTest(year=year):
                for url in (
                    f"{API}/hours/entries?year={year}",
                    f"{API}/orglife/regularity/{branch}?year={year}",
                    f"{API}/compliance/orgs/{branch}?year={year}",
                ):
                    response = self.admin.get(url)
                    self.assertEqual(response.status_code, 422, (url, response.content))
                    self.assertEqual(error_locations(response), [["query", "year"]])
        self.assertEqual(
            self.admin.get(f"{API}/orglife/regularity/{branch}?year=9998").status_code, 200
        )

    def test_a_multipart_body_without_its_boundary_is_400(self) -> None:
        members = Member.objects.count()
        for url in (f"{API}/members/import?dry_run=false", f"{API}/hours/self-study"):
            with self.subTest(url=url):
                response = self.admin.post(
                    url, data=b"--x\r\n\r\n", content_type="multipart/form-data"
                )
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIsInstance(response.json()["detail"], str)
        self.assertEqual(Member.objects.count(), members)

    def test_true_is_not_an_id_and_nothing_moves(self) -> None:
        group = self.world.group
        path, events = group.path, AuditEvent.objects.count()
        for value in (True, False, "1", 1.5, None, [1], {"id": 1}, MAX_ID + 1, 0, -3):
            with self.subTest(new_parent=value):
                response = self.post_json(f"{API}/orgs/{group.pk}/move", {"new_parent": value})
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_locations(response), [["body", "payload", "new_parent"]])
        group.refresh_from_db()
        self.assertEqual(group.path, path)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_ids_in_lists_are_strict_too(self) -> None:
        response = self.post_json(
            f"{API}/hours/entries",
            {
                "members": [True],
                "kind": "class",
                "topic": "x",
                "hours": "1",
                "occurred_on": "2024-05-01",
            },
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn(["body", "payload", "members", 0], error_locations(response))

    def test_error_bodies_match_the_published_error_schema(self) -> None:
        """401, 404 and 422 all answer `{"detail": ...}`: a sentence, or a list of problems."""
        anonymous = Client().get(f"{API}/orgs/")
        self.assertEqual(anonymous.status_code, 401)
        self.assertIsInstance(anonymous.json()["detail"], str)
        missing = self.admin.get(f"{API}/orgs/{MAX_ID}")
        self.assertIsInstance(missing.json()["detail"], str)
        invalid = self.admin.get(f"{API}/orgs/0")
        for item in invalid.json()["detail"]:
            self.assertTrue({"loc", "msg", "type"} <= set(item))
