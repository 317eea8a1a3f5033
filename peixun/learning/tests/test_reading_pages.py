"""The 必读书目 pages, persona by persona: the staff lists and progress (with its figures
computed by hand and its 台账), the 心得 queue, and a member's own books and 心得 form."""

from __future__ import annotations

import io
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from peixun.testing import PersonaTestCase, download_names, ledger_rows, make_member

from ..models import Book, ReadingCredit, Reflection
from ..selectors.reading import list_progress, my_reading, readers_without_credit
from ..services.reading import reflection_file
from .reading_fixtures import LONG_TEXT, ReadingStory, pass_exam, reading_story

STAFF = {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
         "org_admin": 200, "viewer": 200}  # fmt: skip


class ReadingPagesTests(PersonaTestCase):
    story: ClassVar[ReadingStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = reading_story(cls.world)
        # 李明 passed the quiz: the first required book is credited to him.
        pass_exam(cls.world.users["member"], cls.story.exam)

    def url(self, suffix: str = "", pk: int | None = None) -> str:
        return f"/learning/reading/{pk or self.story.reading_list.pk}/{suffix}"

    def test_who_reads_the_staff_pages(self) -> None:
        for url in ("/learning/reading/", self.url(), self.url() + "?tab=progress",
                    self.url() + "?tab=none", self.url("progress.xlsx"),
                    "/learning/reading/queue/"):  # fmt: skip
            with self.subTest(url):
                self.expect_personas(url, STAFF)
        self.expect_personas(
            self.url(pk=self.story.branch_list.pk), STAFF | {"other_secretary": 404}
        )

    def test_who_writes_lists_and_books(self) -> None:
        editors = {"anonymous": 302, "member": 404, "secretary": 403, "other_secretary": 403,
                   "org_admin": 200, "viewer": 403}  # fmt: skip
        self.expect_personas(self.url("edit/"), editors)
        self.expect_personas(self.url("books/new/"), editors)
        self.expect_personas(self.url(f"books/{self.story.free_book.pk}/"), editors)
        self.expect_personas(
            "/learning/reading/new/", editors | {"secretary": 200, "other_secretary": 200}
        )
        self.expect_personas(
            self.url("edit/", pk=self.story.branch_list.pk),
            editors | {"secretary": 200, "other_secretary": 404},
        )

    def test_who_reads_my_reading(self) -> None:
        mine = {"anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
                "org_admin": 404, "viewer": 404}  # fmt: skip
        self.expect_personas("/learning/reading/mine/", mine)
        self.expect_personas(f"/learning/reading/mine/{self.story.hours_book.pk}/", mine)
        branch_book = Book.objects.create(reading_list=self.story.branch_list, title="支部书")
        self.expect_personas(
            f"/learning/reading/mine/{branch_book.pk}/", mine | {"other_secretary": 404}
        )
        self.expect_personas("/learning/reading/mine/99999999/", mine | {"member": 404,
                             "secretary": 404, "other_secretary": 404})  # fmt: skip

    def test_my_reading_shows_each_state(self) -> None:
        response = self.client_for("member").get("/learning/reading/mine/")
        page = response.content.decode()
        self.assertIn("习近平新时代中国特色社会主义思想学习纲要", page)
        self.assertEqual(response.context["lists"][0].required_credited, 1)
        self.assertEqual(page.count('data-state="credited"'), 1)
        self.assertEqual(page.count('data-state="not_started"'), 2)

    def test_a_member_files_a_reflection_and_bad_input_stores_nothing(self) -> None:
        client = self.client_for("member")
        url = f"/learning/reading/mine/{self.story.hours_book.pk}/"
        short = client.post(url, {"text": "太短"})
        self.assertEqual(short.status_code, 400)
        self.assertIn("text", short.context["form"].errors)
        self.assertFalse(Reflection.objects.exists())
        done = client.post(url, {"text": LONG_TEXT})
        self.assertEqual(done.status_code, 302)
        reflection = Reflection.objects.get()
        self.assertEqual(reflection.state, "pending")
        self.assertEqual(client.get(url).context["row"].state, "pending")
        # The credited book takes no 心得.
        credited = client.post(f"/learning/reading/mine/{self.story.quiz_book.pk}/",
                               {"text": LONG_TEXT})  # fmt: skip
        self.assertEqual(credited.status_code, 302)
        self.assertEqual(Reflection.objects.count(), 1)

    def test_the_queue_approves_and_returns(self) -> None:
        reflection = reflection_file(
            actor=self.world.users["member"], book=self.story.hours_book, text=LONG_TEXT
        )
        queue = self.client_for("secretary").get("/learning/reading/queue/").content.decode()
        self.assertIn("李明", queue)
        approve = f"/learning/reading/reflections/{reflection.pk}/approve/"
        self.expect_personas(
            approve,
            {"anonymous": 302, "member": 404, "other_secretary": 404, "viewer": 403,
             "secretary": 302, "org_admin": 302},
            method="post",
        )  # fmt: skip
        reflection.refresh_from_db()
        self.assertEqual(reflection.state, "approved")
        self.assertTrue(ReadingCredit.objects.filter(reflection=reflection).exists())
        other = reflection_file(
            actor=self.world.users["member"], book=self.story.free_book, text=LONG_TEXT
        )
        back = f"/learning/reading/reflections/{other.pk}/return/"
        self.client_for("secretary").post(back, {"reason": ""})
        other.refresh_from_db()
        self.assertEqual(other.state, "pending")
        self.client_for("secretary").post(back, {"reason": "请联系工作实际"})
        other.refresh_from_db()
        self.assertEqual((other.state, other.reason), ("returned", "请联系工作实际"))

    def test_progress_figures_by_hand(self) -> None:
        # Readers in the unit: 第一党支部 李明 and 王芳, 第二党支部 赵强 (full members, none
        # exempt). 李明 passed the quiz: the quiz book 1 in the first branch; nobody has the
        # history book; 王芳 and 赵强 have no book at all.
        books, rows, total = list_progress(self.world.users["org_admin"], self.story.reading_list)
        self.assertEqual(
            [b.title for b in books], ["习近平新时代中国特色社会主义思想学习纲要", "中国共产党简史"]
        )
        self.assertEqual(
            [(r.org.name, r.readers, r.counts(books), r.none) for r in rows],
            [("第一党支部", 2, [1, 0], 1), ("第二党支部", 1, [0, 0], 1)],
        )
        self.assertEqual((total.readers, total.counts(books), total.none), (3, [1, 0], 2))
        # The other branch's secretary sees only their branch.
        _, rows, total = list_progress(self.world.users["other_secretary"], self.story.reading_list)
        self.assertEqual([(r.org.name, r.readers) for r in rows], [("第二党支部", 1)])
        self.assertEqual(
            [m.name for m in readers_without_credit(self.world.users["org_admin"],
                                                    self.story.reading_list)],
            ["王芳", "赵强"],
        )  # fmt: skip
        page = self.client_for("org_admin").get(self.url() + "?tab=progress").content.decode()
        self.assertIn('id="reading-progress"', page)

    def test_progress_ledger(self) -> None:
        response = self.client_for("org_admin").get(self.url("progress.xlsx"))
        self.assertEqual(response.status_code, 200)
        ascii_name, name = download_names(response)
        self.assertEqual(ascii_name, f"reading-list-{self.story.reading_list.pk}-progress.xlsx")
        self.assertTrue(name.endswith("读书台账.xlsx"))
        book = load_workbook(io.BytesIO(response.content))
        rows = ledger_rows(book.worksheets[0])
        self.assertEqual(rows[1][1:], ("第一党支部", 2, 1, 0, 1))
        self.assertEqual(rows[-1][2:], (3, 1, 0, 2))
        people = ledger_rows(book.worksheets[1])
        self.assertEqual([r[2] for r in people[1:]], ["王芳", "赵强"])

    def test_bad_list_and_book_forms(self) -> None:
        client = self.client_for("org_admin")
        response = client.post(self.url("books/new/"), {"title": "新书", "isbn": "123",
                                                        "topic": "other", "hours": "0"})  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Book.objects.filter(title="新书").exists())
        response = client.post(self.url("books/new/"), {"title": "新书", "isbn": "9780306406157",
                                                        "topic": "other", "hours": "1.5",
                                                        "required": "on"})  # fmt: skip
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Book.objects.get(title="新书").isbn, "9780306406157")
        year = timezone.localdate().year
        response = client.post("/learning/reading/new/", {"org": self.world.unit.pk,
                               "year": year, "title": ""})  # fmt: skip
        self.assertEqual(response.status_code, 400)


class ReadingQueryCountTests(PersonaTestCase):
    """The progress table and a member's books cost the same few queries however many members,
    credits and books there are."""

    story: ClassVar[ReadingStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = reading_story(cls.world)

    def counts(self) -> tuple[int, int]:
        admin, member = self.world.users["org_admin"], self.world.users["member"]
        year = timezone.localdate().year
        with CaptureQueriesContext(connection) as progress:
            list_progress(admin, self.story.reading_list)
        with CaptureQueriesContext(connection) as mine:
            my_reading(member, year=year)
        return len(progress), len(mine)

    def test_queries_do_not_grow(self) -> None:
        self.counts()  # the first read of each actor's grants is cached for the rest
        small = self.counts()
        for n in range(12):
            member = make_member(self.world.other_branch, f"读者{n}")
            if n % 2:
                ReadingCredit.objects.create(
                    book=self.story.free_book, member=member, how="reflection",
                    reflection=Reflection.objects.create(
                        book=self.story.free_book, member=member, text=LONG_TEXT,
                        state="approved",
                    ),
                    credited_at=timezone.now(),
                )  # fmt: skip
        for n in range(5):
            Book.objects.create(reading_list=self.story.reading_list, title=f"加书{n}")
        reflection_file(actor=self.world.users["member"], book=self.story.free_book, text=LONG_TEXT)
        self.assertEqual(self.counts(), small)
