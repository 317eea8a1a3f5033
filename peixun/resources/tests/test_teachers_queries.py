"""The pool's search runs a fixed number of queries whatever the page size: the same at 10 and
at 100 teachers, each with subjects and sessions (the bench, bench/teacher_search.py, goes on
to 10,000)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peixun.resources.models import Teacher, TeacherSubject
from peixun.testing import PersonaTestCase

from .teacher_fixtures import make_class, teach


class TeacherSearchQueryTests(PersonaTestCase):
    def grow_to(self, n: int) -> None:
        have = Teacher.objects.count()
        made = Teacher.objects.bulk_create(
            [
                Teacher(
                    org=self.world.unit, open_to=self.world.root, name=f"教师{i:05d}", unit="党校"
                )
                for i in range(have, n)
            ]
        )
        TeacherSubject.objects.bulk_create(
            [TeacherSubject(teacher=t, subject=s) for t in made for s in ("economy", "science")]
        )

    def count(self, url: str) -> int:
        client = self.client_for("org_admin")
        client.get(url)  # warm the session and the per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"limit": 500} if "api" in url else {})
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_page_and_api_queries_do_not_grow_with_the_pool(self) -> None:
        tc = make_class(self.user("org_admin"), self.world.unit, "轮训", timezone.localdate())
        self.grow_to(10)
        for day, teacher in enumerate(Teacher.objects.all()[:3]):
            teach(self.user("org_admin"), tc, teacher, day=day % 3, title=f"课{day}")
        page, api = reverse("resources:teacher_list"), "/api/v1/resources/teachers/"
        at_10 = (self.count(page), self.count(api))
        self.grow_to(100)
        at_100 = (self.count(page), self.count(api))
        self.assertEqual(at_10, at_100)

    def test_the_search_itself_is_three_queries(self) -> None:
        """The actor's grants (once per request), the rows, their subjects."""
        from peixun.resources.selectors.teachers import teachers_search

        self.grow_to(100)
        with self.assertNumQueries(3):
            rows = list(teachers_search(self.user("org_admin"), subject="economy"))
        self.assertEqual(len(rows), 100)
        with self.assertNumQueries(0):
            self.assertEqual({s.subject for s in rows[0].subjects.all()}, {"economy", "science"})
