"""必读书目: reading lists per org and year, their books, the 心得 members file and the credit a
member earns for a book.

A list is shared down its org's subtree (a county's list is read by every branch below) and
managed by the org's managers. A book is credited to a member once (a database constraint), and
only in one of two ways, each held by a row the credit points to (a check constraint): a passed
attempt at the book's quiz (an exam from the question bank), or a 心得 the branch approved. No
route writes a credit without one of them: there is no "I have read it" button.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import MemberOwnedQuerySet
from peixun.exams.models import SharedDownQuerySet
from peixun.hours.models import Topic

# A 心得 shorter than this is not a reflection on a book.
MIN_REFLECTION_CHARS = 100
MAX_REFLECTION_CHARS = 5000


class ReadingListQuerySet(SharedDownQuerySet):
    """Staff of the list's org, of the orgs above it and of every org below it see it. Members
    read their lists through `selectors.reading.my_reading`, not through a grant."""

    scope_path_field = "org__path"


class ReadingList(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="reading_lists",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReadingListQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading list")
        verbose_name_plural = _("reading lists")
        ordering = ["-year", "org__path", "id"]
        indexes = [models.Index(fields=["org", "year"], name="learning_rlist_org_year")]

    def __str__(self) -> str:
        return self.title


class Book(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, verbose_name=_("reading list"), on_delete=models.CASCADE, related_name="books"
    )
    title = models.CharField(_("book title"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    # Stored as 13 digits (an ISBN-10 is converted), or empty.
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    required = models.BooleanField(_("required reading"), default=True)
    hours = models.DecimalField(
        _("study hours for a reflection"), max_digits=4, decimal_places=2, default=Decimal(0)
    )
    # The ledger topic of the hours a 心得 credits.
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices, default=Topic.OTHER)
    exam = models.ForeignKey(
        "exams.Exam",
        verbose_name=_("quiz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reading_books",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        ordering = ["reading_list", "-required", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="learning_book_hours_nonneg"),
        ]

    def __str__(self) -> str:
        return self.title


class ReflectionQuerySet(MemberOwnedQuerySet):
    scope_path_field = "member__org__path"


class Reflection(models.Model):
    """A 心得 on a book. When the book credits hours it is also a pending self-study entry of the
    ledger (reference ``book:<id>``), decided in the hours flow, and this row follows it; a book
    of no hours is decided here alone."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="reflections"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("reflection"), max_length=MAX_REFLECTION_CHARS)
    # No database foreign key to the ledger, partitioned by year on PostgreSQL (hours 0010).
    entry = models.OneToOneField(
        "hours.CreditEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reading_reflection",
        db_constraint=False,
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One 心得 in play per book and member: a returned one may be written again.
            models.UniqueConstraint(
                fields=["book", "member"],
                condition=Q(state__in=["pending", "approved"]),
                name="learning_reflection_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book_id}/{self.member_id}"


class ReadingCreditQuerySet(MemberOwnedQuerySet):
    scope_path_field = "member__org__path"


class ReadingCredit(models.Model):
    class How(models.TextChoices):
        QUIZ = "quiz", _("Passed the quiz")
        REFLECTION = "reflection", _("Reflection approved")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="credits")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(_("credited by"), max_length=16, choices=How.choices)
    attempt = models.ForeignKey(
        "exams.Attempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reflection = models.OneToOneField(
        Reflection, null=True, blank=True, on_delete=models.PROTECT, related_name="credit"
    )
    credited_at = models.DateTimeField(_("credited at"))

    objects = ReadingCreditQuerySet.as_manager()

    class Meta:
        verbose_name = _("book credit")
        verbose_name_plural = _("book credits")
        constraints = [
            models.UniqueConstraint(fields=["book", "member"], name="learning_book_credit_once"),
            # A credit always names its evidence: a passed attempt or an approved 心得.
            models.CheckConstraint(
                condition=Q(how="quiz", attempt__isnull=False, reflection__isnull=True)
                | Q(how="reflection", reflection__isnull=False, attempt__isnull=True),
                name="learning_book_credit_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book_id}/{self.member_id}"
