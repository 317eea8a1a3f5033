"""The demo's 师资库 (peixun/demo/teachers.py): deterministic, idempotent, and linked to the
sessions that name its speakers."""

from __future__ import annotations

from django.utils import timezone

from peixun.accounts.models import User
from peixun.demo.teachers import fill_teachers
from peixun.resources.models import Teacher
from peixun.testing import PersonaTestCase
from peixun.training.models import Session

from .teacher_fixtures import make_class, teach


class DemoTeacherTests(PersonaTestCase):
    def test_fill_teachers_links_sessions_and_runs_once(self) -> None:
        w = self.world
        tc = make_class(w.users["org_admin"], w.unit, "轮训", timezone.localdate())
        session = teach(w.users["org_admin"], tc, None)
        Session.objects.filter(pk=session.pk).update(teacher="县委党校 王建国教授")
        counts = fill_teachers(w.root, seed=7)
        self.assertEqual(counts, {"teachers": 36, "left": 2, "sessions_linked": 1})
        wang = Teacher.objects.get(name="王建国")
        self.assertEqual(Session.objects.get(pk=session.pk).pool_teacher, wang)
        self.assertEqual(wang.user, User.objects.get(username="teacher"))
        self.assertEqual(Teacher.objects.filter(active=False).count(), 2)
        names = sorted(Teacher.objects.values_list("name", flat=True))
        self.assertIn("skipped", fill_teachers(w.root, seed=7))
        self.assertEqual(sorted(Teacher.objects.values_list("name", flat=True)), names)
