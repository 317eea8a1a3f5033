"""/api/v1/learning/reading-lists/: the 必读书目 over the same services and scoping as the pages."""

from __future__ import annotations

from typing import ClassVar

from django.utils import timezone

from peixun.testing import PersonaTestCase

from ..models import Book, ReadingCredit, Reflection
from .reading_fixtures import LONG_TEXT, ReadingStory, pass_exam, reading_story

API = "/api/v1/learning/reading-lists"
JSON = "application/json"


class ReadingApiTests(PersonaTestCase):
    story: ClassVar[ReadingStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = reading_story(cls.world)
        pass_exam(cls.world.users["member"], cls.story.exam)

    def url(self, suffix: str = "") -> str:
        return f"{API}/{self.story.reading_list.pk}{suffix}"

    def test_personas(self) -> None:
        readers = {"anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 200,
                   "org_admin": 200, "viewer": 200}  # fmt: skip
        for url in (API, self.url(), self.url("/progress"), f"{API}/reflections"):
            with self.subTest(url):
                self.expect_personas(url, readers)
        self.expect_personas(
            f"{API}/{self.story.branch_list.pk}", readers | {"other_secretary": 404}
        )
        writers = readers | {"secretary": 403, "other_secretary": 403, "viewer": 403}
        self.expect_personas(self.url(), writers, method="patch", data={"note": "说明"},
                             content_type=JSON)  # fmt: skip
        mine = {"anonymous": 401, "member": 200, "secretary": 200, "other_secretary": 200,
                "org_admin": 404, "viewer": 404}  # fmt: skip
        self.expect_personas(f"{API}/mine", mine)

    def test_create_a_list_and_books(self) -> None:
        admin = self.client_for("org_admin")
        year = timezone.localdate().year
        bad = admin.post(API, {"org": self.world.unit.pk, "year": year, "title": ""},
                         content_type=JSON)  # fmt: skip
        self.assertEqual(bad.status_code, 422)
        made = admin.post(API, {"org": self.world.unit.pk, "year": year, "title": "学习书目"},
                          content_type=JSON)  # fmt: skip
        self.assertEqual(made.status_code, 201)
        pk = made.json()["id"]
        book = admin.post(f"{API}/{pk}/books", {"title": "中国共产党章程", "isbn": "0-306-40615-2",
                          "hours": "1", "exam": self.story.exam.pk}, content_type=JSON)  # fmt: skip
        self.assertEqual(book.status_code, 201, book.content)
        self.assertEqual((book.json()["isbn"], book.json()["exam_id"]),
                         ("9780306406157", self.story.exam.pk))  # fmt: skip
        # The earlier pass credits the new book at once.
        self.assertTrue(ReadingCredit.objects.filter(book_id=book.json()["id"]).exists())
        bad_book = admin.post(f"{API}/{pk}/books", {"title": "x", "isbn": "1", "hours": "-1",
                              "exam": 99999999}, content_type=JSON)  # fmt: skip
        self.assertEqual(bad_book.status_code, 422)
        self.assertEqual(Book.objects.filter(reading_list_id=pk).count(), 1)
        detail = admin.get(f"{API}/{pk}").json()
        self.assertEqual([b["title"] for b in detail["books"]], ["中国共产党章程"])
        patched = admin.patch(f"{API}/{pk}/books/{book.json()['id']}", {"required": False},
                              content_type=JSON)  # fmt: skip
        self.assertEqual(patched.json()["required"], False)
        spare = admin.post(f"{API}/{pk}/books", {"title": "备用"}, content_type=JSON).json()
        self.assertEqual(admin.delete(f"{API}/{pk}/books/{spare['id']}").status_code, 204)

    def test_a_member_files_and_the_secretary_decides(self) -> None:
        member = self.client_for("member")
        mine = member.get(f"{API}/mine").json()
        states = {b["book"]["title"]: b["state"] for ml in mine for b in ml["books"]}
        self.assertEqual(states["习近平新时代中国特色社会主义思想学习纲要"], "credited")
        self.assertEqual(states["中国共产党简史"], "not_started")
        url = f"{API}/books/{self.story.hours_book.pk}/reflections"
        self.assertEqual(member.post(url, {"text": "短"}, content_type=JSON).status_code, 422)
        self.assertFalse(Reflection.objects.exists())
        filed = member.post(url, {"text": LONG_TEXT}, content_type=JSON)
        self.assertEqual(filed.status_code, 201)
        self.assertEqual((filed.json()["state"], filed.json()["hours"]), ("pending", "2.00"))
        # Another unit's member may not file on it: not their book.
        self.assertEqual(
            self.client_for("org_admin").post(url, {"text": LONG_TEXT}, content_type=JSON)
            .status_code, 404)  # fmt: skip
        queue = self.client_for("secretary").get(f"{API}/reflections").json()
        self.assertEqual([r["member_name"] for r in queue["items"]], ["李明"])
        pk = filed.json()["id"]
        self.assertEqual(
            self.client_for("other_secretary").post(f"{API}/reflections/{pk}/approve").status_code,
            404,
        )
        ok = self.client_for("secretary").post(f"{API}/reflections/{pk}/approve")
        self.assertEqual(ok.json()["state"], "approved")
        again = self.client_for("secretary").post(f"{API}/reflections/{pk}/return",
                                                  {"reason": "x"}, content_type=JSON)  # fmt: skip
        self.assertEqual(again.status_code, 422)

    def test_progress(self) -> None:
        body = self.client_for("org_admin").get(self.url("/progress")).json()
        quiz, history = self.story.quiz_book.pk, self.story.hours_book.pk
        self.assertEqual(body["required_books"], [quiz, history])
        self.assertEqual(
            [(b["org"]["name"], b["readers"], b["credited"], b["none"]) for b in body["branches"]],
            [("第一党支部", 2, {str(quiz): 1}, 1), ("第二党支部", 1, {}, 1)],
        )
