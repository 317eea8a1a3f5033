"""必读书目's rules: who writes lists and books, the ISBN and hours checks, and the two ways (and
only those) a book is credited: a passed quiz and an approved 心得, once per member."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, HoursSettings
from peixun.hours.services.entries import entries_approve_bulk, entry_approve
from peixun.testing import World, make_user

from ..models import ReadingCredit, Reflection
from ..selectors.reading import CREDITED, NOT_STARTED, PENDING, QUIZ_TO_TAKE, RETURNED, my_reading
from ..services.reading import (
    book_add,
    book_remove,
    book_update,
    clean_isbn,
    reading_list_create,
    reflection_approve,
    reflection_file,
    reflection_return,
)
from .reading_fixtures import LONG_TEXT, ReadingStory, pass_exam, reading_story


class ReadingServiceTests(TestCase):
    world: ClassVar[World]
    story: ClassVar[ReadingStory]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.story = reading_story(cls.world)

    def states(self, persona: str = "member") -> dict[str, str]:
        year = timezone.localdate().year
        return {
            b.book.title: b.state
            for ml in my_reading(self.world.users[persona], year=year)
            for b in ml.books
        }

    def test_only_managers_of_the_org_write_lists_and_books(self) -> None:
        with self.assertRaises(PermissionDenied):
            reading_list_create(
                actor=self.world.users["secretary"], org=self.world.unit,
                data={"title": "x", "year": 2026},
            )  # fmt: skip
        with self.assertRaises(PermissionDenied):
            book_add(
                actor=self.world.users["viewer"],
                reading_list=self.story.reading_list,
                data={"title": "x"},
            )
        with self.assertRaises(ValidationError) as caught:
            reading_list_create(
                actor=self.world.users["org_admin"], org=self.world.unit,
                data={"title": " ", "year": 1900},
            )  # fmt: skip
        self.assertEqual(set(caught.exception.message_dict), {"title", "year"})

    def test_isbn_is_checked_and_kept_as_thirteen_digits(self) -> None:
        self.assertEqual(clean_isbn("978-0-306-40615-7"), "9780306406157")
        self.assertEqual(clean_isbn("0-306-40615-2"), "9780306406157")  # ISBN-10 converted
        self.assertEqual(clean_isbn(""), "")
        for bad in ("978-0-306-40615-8", "0-306-40615-3", "12345", "978030640615X"):
            with self.subTest(bad), self.assertRaises(ValidationError):
                clean_isbn(bad)

    def test_bad_book_input_stores_nothing(self) -> None:
        before = self.story.reading_list.books.count()
        with self.assertRaises(ValidationError) as caught:
            book_add(
                actor=self.world.users["org_admin"],
                reading_list=self.story.reading_list,
                data={"title": "", "isbn": "123", "hours": "-1", "topic": "nope"},
            )
        self.assertEqual(set(caught.exception.message_dict), {"title", "isbn", "hours", "topic"})
        with self.assertRaises(ValidationError):
            book_add(
                actor=self.world.users["org_admin"],
                reading_list=self.story.reading_list,
                data={"title": "x", "hours": "0.3"},
            )
        self.assertEqual(self.story.reading_list.books.count(), before)

    def test_a_member_reads_their_lists_with_each_book_state(self) -> None:
        self.assertEqual(
            self.states(),
            {"习近平新时代中国特色社会主义思想学习纲要": QUIZ_TO_TAKE, "中国共产党简史": NOT_STARTED,
             "习近平谈治国理政（第四卷）": NOT_STARTED},
        )  # fmt: skip
        # The branch's list joins the unit's for the first branch only, once it has a book.
        titles = {
            ml.reading_list.title
            for ml in my_reading(self.world.users["member"], year=timezone.localdate().year)
        }
        self.assertNotIn("第一支部读书班书目", titles)  # no book yet: nothing to read
        book_add(
            actor=self.world.users["secretary"], reading_list=self.story.branch_list,
            data={"title": "支部读书班用书"},
        )  # fmt: skip
        titles = {
            ml.reading_list.title
            for ml in my_reading(self.world.users["member"], year=timezone.localdate().year)
        }
        self.assertIn("第一支部读书班书目", titles)
        other = {
            ml.reading_list.title
            for ml in my_reading(
                self.world.users["other_secretary"], year=timezone.localdate().year
            )
        }
        self.assertNotIn("第一支部读书班书目", other)

    def test_a_passed_quiz_credits_the_book_and_a_failed_one_does_not(self) -> None:
        member = self.world.users["member"]
        pass_exam(member, self.story.exam, right=False)
        self.assertFalse(ReadingCredit.objects.exists())
        self.story.exam.attempts_allowed = 2
        self.story.exam.save(update_fields=["attempts_allowed"])
        attempt = pass_exam(member, self.story.exam)
        credit = ReadingCredit.objects.get()
        self.assertEqual(
            (credit.book, credit.member, credit.how, credit.attempt),
            (self.story.quiz_book, self.world.member, ReadingCredit.How.QUIZ, attempt),
        )
        self.assertEqual(self.states()["习近平新时代中国特色社会主义思想学习纲要"], CREDITED)
        # Once per member, whatever route tries again.
        with self.assertRaises(ValidationError):
            reflection_file(actor=member, book=self.story.quiz_book, text=LONG_TEXT)

    def test_a_quiz_linked_later_credits_the_earlier_passes(self) -> None:
        pass_exam(self.world.users["member"], self.story.exam)
        book = book_add(
            actor=self.world.users["org_admin"],
            reading_list=self.story.reading_list,
            data={"title": "中国共产党章程"},
        )
        self.assertFalse(book.credits.exists())
        book_update(
            actor=self.world.users["org_admin"],
            book=book,
            data={"title": "中国共产党章程", "exam": self.story.exam},
        )
        self.assertEqual(
            list(book.credits.values_list("member", flat=True)), [self.world.member.pk]
        )

    def test_a_reflection_with_hours_goes_through_the_ledger(self) -> None:
        member = self.world.users["member"]
        reflection = reflection_file(actor=member, book=self.story.hours_book, text=LONG_TEXT)
        entry = reflection.entry
        assert entry is not None
        self.assertEqual(
            (entry.state, entry.hours, entry.reference, entry.kind, entry.topic),
            ("pending", Decimal("2"), f"book:{self.story.hours_book.pk}", "self_study",
             "party_history"),
        )  # fmt: skip
        self.assertEqual(entry.reflection, LONG_TEXT)
        self.assertEqual(self.states()["中国共产党简史"], PENDING)
        # A second filing while one waits is refused.
        with self.assertRaises(ValidationError):
            reflection_file(actor=member, book=self.story.hours_book, text=LONG_TEXT)
        # The secretary approves it on the hours pending page (the hours service): it follows.
        entry_approve(actor=self.world.users["secretary"], entry=entry)
        reflection.refresh_from_db()
        self.assertEqual(reflection.state, Reflection.State.APPROVED)
        credit = ReadingCredit.objects.get(book=self.story.hours_book)
        self.assertEqual(
            (credit.how, credit.reflection), (ReadingCredit.How.REFLECTION, reflection)
        )
        self.assertEqual(self.states()["中国共产党简史"], CREDITED)

    def test_a_reflection_returned_with_reason_may_be_written_again(self) -> None:
        member = self.world.users["member"]
        first = reflection_file(actor=member, book=self.story.hours_book, text=LONG_TEXT)
        with self.assertRaises(ValidationError):
            reflection_return(actor=self.world.users["secretary"], reflection=first, reason=" ")
        reflection_return(
            actor=self.world.users["secretary"], reflection=first, reason="请结合本职工作谈体会"
        )
        first.refresh_from_db()
        assert first.entry is not None
        self.assertEqual((first.state, first.reason), ("returned", "请结合本职工作谈体会"))
        self.assertEqual(first.entry.state, CreditEntry.State.REJECTED)
        self.assertEqual(self.states()["中国共产党简史"], RETURNED)
        second = reflection_file(actor=member, book=self.story.hours_book, text=LONG_TEXT + "再写")
        reflection_approve(actor=self.world.users["secretary"], reflection=second)
        self.assertEqual(self.states()["中国共产党简史"], CREDITED)
        self.assertFalse(ReadingCredit.objects.filter(reflection=first).exists())

    def test_a_book_of_no_hours_is_decided_here_alone(self) -> None:
        reflection = reflection_file(
            actor=self.world.users["member"], book=self.story.free_book, text=LONG_TEXT
        )
        self.assertIsNone(reflection.entry)
        reflection = reflection_approve(actor=self.world.users["secretary"], reflection=reflection)
        self.assertEqual(reflection.state, "approved")
        self.assertTrue(ReadingCredit.objects.filter(reflection=reflection).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="learning.reflection.approve").exists())

    def test_who_may_file_and_decide(self) -> None:
        text = LONG_TEXT
        with self.assertRaises(ValidationError) as caught:
            reflection_file(actor=self.world.users["member"], book=self.story.free_book, text="短")
        self.assertIn("text", caught.exception.message_dict)
        # A member outside the list's org: not their book.
        far = make_user("far", member=self.world.far_member)
        with self.assertRaises(PermissionDenied):
            reflection_file(actor=far, book=self.story.free_book, text=text)
        with self.assertRaises(PermissionDenied):
            reflection_file(
                actor=self.world.users["org_admin"], book=self.story.free_book, text=text
            )
        own = reflection_file(
            actor=self.world.users["secretary"], book=self.story.free_book, text=text
        )
        with self.assertRaises(PermissionDenied):
            reflection_approve(actor=self.world.users["secretary"], reflection=own)
        with self.assertRaises(PermissionDenied):
            reflection_approve(actor=self.world.users["other_secretary"], reflection=own)
        reflection_approve(actor=self.world.users["org_admin"], reflection=own)

    def test_two_stages_and_bulk_approval_are_followed(self) -> None:
        HoursSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"two_stage_approval": True}
        )
        reflection = reflection_file(
            actor=self.world.users["member"], book=self.story.hours_book, text=LONG_TEXT
        )
        reflection = reflection_approve(actor=self.world.users["secretary"], reflection=reflection)
        self.assertEqual(reflection.state, "pending")  # the first stage only
        assert reflection.entry is not None
        entries_approve_bulk(actor=self.world.users["org_admin"], ids=[reflection.entry.pk])
        reflection.refresh_from_db()
        self.assertEqual(reflection.state, "approved")
        self.assertTrue(ReadingCredit.objects.filter(reflection=reflection).exists())

    def test_the_database_refuses_a_second_credit_or_one_without_evidence(self) -> None:
        reflection = reflection_file(
            actor=self.world.users["member"], book=self.story.free_book, text=LONG_TEXT
        )
        reflection_approve(actor=self.world.users["secretary"], reflection=reflection)
        with self.assertRaises(IntegrityError), transaction.atomic():
            ReadingCredit.objects.create(
                book=self.story.free_book, member=self.world.member, how="reflection",
                reflection=reflection, credited_at=timezone.now(),
            )  # fmt: skip
        with self.assertRaises(IntegrityError), transaction.atomic():
            ReadingCredit.objects.create(
                book=self.story.hours_book, member=self.world.member, how="quiz",
                credited_at=timezone.now(),
            )  # fmt: skip

    def test_a_read_book_stays_on_the_list(self) -> None:
        reflection_file(actor=self.world.users["member"], book=self.story.free_book, text=LONG_TEXT)
        with self.assertRaises(ValidationError):
            book_remove(actor=self.world.users["org_admin"], book=self.story.free_book)
        spare = book_add(
            actor=self.world.users["org_admin"],
            reading_list=self.story.reading_list,
            data={"title": "备用"},
        )
        book_remove(actor=self.world.users["org_admin"], book=spare)
