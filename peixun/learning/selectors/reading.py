"""Reads of the 必读书目: the lists staff see, a list's books, its progress per branch (members
credited with each required book, members with no book credited yet), a member's own lists with
each book's state, and the 心得 waiting for a decision.

A list's readers are the full and probationary members of its org's subtree, exempt members (条例
Art. 23) left out. The progress table counts in the database: one grouped query for the readers
per branch, one for the credits per branch and book, one for the members with no credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.exams.models import Exam
from peixun.members.models import Member
from peixun.orgs.models import Organization, ancestor_paths
from peixun.orgs.selectors import attach_ancestor_names, org_above_label

from ..models.reading import Book, ReadingCredit, ReadingList, Reflection
from .classes import require_staff

READER_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)

# A member's state on a book.
NOT_STARTED = "not_started"
QUIZ_TO_TAKE = "quiz_to_take"
PENDING = "pending"
CREDITED = "credited"
RETURNED = "returned"


def reading_lists(actor: Actor, *, year: int | None = None, q: str = "") -> QuerySet[ReadingList]:
    """The lists the actor's grants show (of their orgs, above and below), newest year first,
    with their numbers of required and optional books."""
    require_staff(actor)
    lists = ReadingList.objects.visible_to(actor).select_related("org")
    if year:
        lists = lists.filter(year=year)
    if q:
        lists = lists.filter(title__icontains=q)
    annotated: QuerySet[ReadingList] = lists.annotate(
        required_count=Count("books", filter=Q(books__required=True)),
        optional_count=Count("books", filter=Q(books__required=False)),
    ).order_by("-year", "org__path", "id")
    return annotated


def reading_list_for_staff(actor: Actor, pk: int) -> ReadingList:
    require_staff(actor)
    return get_visible_or_404(actor, ReadingList, pk)


def list_books(reading_list: ReadingList) -> list[Book]:
    return list(reading_list.books.select_related("exam").order_by("-required", "position", "id"))


def book_for_staff(actor: Actor, reading_list: ReadingList, book_id: int) -> Book:
    book = reading_list.books.filter(pk=book_id).first()
    if book is None:
        raise Http404
    return book


def quiz_choices(actor: Actor) -> QuerySet[Exam]:
    """The tests the actor sees that may be a book's quiz (not cancelled), newest first."""
    return (
        Exam.objects.visible_to(actor)
        .exclude(state=Exam.State.CANCELLED)
        .select_related("org")
        .order_by("-opens_at", "-id")
    )


def list_readers(actor: Actor, reading_list: ReadingList) -> QuerySet[Member]:
    """The list's readers among the members the actor reads."""
    return Member.objects.visible_to(actor).filter(
        org__path__startswith=reading_list.org.path,
        status__in=READER_STATUSES,
        exempt_reason="",
    )


@dataclass
class BranchReading:
    """One organisation's figures on a list (or the total): readers, members credited with
    each required book (by book id), and readers with no book of the list credited."""

    org: Organization
    parent: str = ""
    readers: int = 0
    credited: dict[int, int] = field(default_factory=dict)
    none: int = 0

    def counts(self, books: list[Book]) -> list[int]:
        return [self.credited.get(b.pk, 0) for b in books]


def _grouped(members: QuerySet[Member]) -> dict[int, int]:
    return dict(
        members.order_by().values("org_id").annotate(n=Count("id")).values_list("org_id", "n")
    )


def list_progress(
    actor: Actor, reading_list: ReadingList
) -> tuple[list[Book], list[BranchReading], BranchReading]:
    """The required books, one row per organisation of the readers the actor reads, and the
    total. Three grouped queries, one for the books and one for the organisations' names."""
    books = [b for b in list_books(reading_list) if b.required]
    readers = list_readers(actor, reading_list)
    per_org = _grouped(readers)
    credits = (
        ReadingCredit.objects.filter(book__reading_list=reading_list, member__in=readers)
        .order_by()
        .values("member__org_id", "book_id")
        .annotate(n=Count("id"))
    )
    credited: dict[int, dict[int, int]] = {}
    for row in credits:
        credited.setdefault(row["member__org_id"], {})[row["book_id"]] = row["n"]
    none = _grouped(readers_without_credit(actor, reading_list))
    orgs = Organization.objects.in_bulk(list(per_org))
    attach_ancestor_names(list(orgs.values()))
    rows = [
        BranchReading(
            org=orgs[org_id],
            parent=org_above_label(orgs[org_id]),
            readers=n,
            credited=credited.get(org_id, {}),
            none=none.get(org_id, 0),
        )
        for org_id, n in per_org.items()
    ]
    rows.sort(key=lambda r: r.org.path)
    total = BranchReading(org=reading_list.org)
    for row in rows:
        total.readers += row.readers
        total.none += row.none
        for book_id, n in row.credited.items():
            total.credited[book_id] = total.credited.get(book_id, 0) + n
    return books, rows, total


def readers_without_credit(actor: Actor, reading_list: ReadingList) -> QuerySet[Member]:
    """The readers the actor reads who have no book of the list credited yet."""
    has_credit = ReadingCredit.objects.filter(
        member_id=OuterRef("pk"), book__reading_list=reading_list
    )
    return (
        list_readers(actor, reading_list)
        .exclude(Exists(has_credit))
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


# -- the member's side -------------------------------------------------------------------------


@dataclass
class MyBook:
    book: Book
    state: str
    reason: str = ""
    credited_how: str = ""
    reflection: Reflection | None = None

    @property
    def can_reflect(self) -> bool:
        return self.state in (NOT_STARTED, QUIZ_TO_TAKE, RETURNED)

    @property
    def state_label(self) -> str:
        return {
            NOT_STARTED: _("Not read yet"),
            QUIZ_TO_TAKE: _("Quiz to take"),
            PENDING: _("Reflection waiting for approval"),
            CREDITED: _("Credited"),
            RETURNED: _("Reflection returned"),
        }[self.state]


@dataclass
class MyList:
    reading_list: ReadingList
    books: list[MyBook]

    @property
    def required_credited(self) -> int:
        return sum(1 for b in self.books if b.book.required and b.state == CREDITED)

    @property
    def required_total(self) -> int:
        return sum(1 for b in self.books if b.book.required)


def _member(actor: Actor) -> Member:
    member_id = scope_of(actor).member_id
    if not member_id:
        raise Http404
    member: Member = Member.objects.select_related("org").get(pk=member_id)
    return member


def my_reading(actor: Actor, *, year: int) -> list[MyList]:
    """The year's lists that apply to the actor as a member (their branch's, and every org's
    above it), each book with the member's state. Four queries whatever the lists' size."""
    member = _member(actor)
    lists = list(
        ReadingList.objects.filter(org__path__in=ancestor_paths(member.org.path), year=year)
        .select_related("org")
        .order_by("org__path", "id")
    )
    books = list(
        Book.objects.filter(reading_list__in=lists)
        .select_related("exam")
        .order_by("-required", "position", "id")
    )
    credits = {c.book_id: c for c in ReadingCredit.objects.filter(member=member, book__in=books)}
    # The newest 心得 per book tells its state (an older returned one was written again).
    latest: dict[int, Reflection] = {}
    for r in Reflection.objects.filter(member=member, book__in=books).order_by("created_at", "id"):
        latest[r.book_id] = r
    by_list: dict[int, list[MyBook]] = {rl.pk: [] for rl in lists}
    for book in books:
        by_list[book.reading_list_id].append(
            _my_book(book, credits.get(book.pk), latest.get(book.pk))
        )
    # A list with no book yet has nothing to read: left out.
    return [MyList(rl, by_list[rl.pk]) for rl in lists if by_list[rl.pk]]


def _my_book(book: Book, credit: ReadingCredit | None, reflection: Reflection | None) -> MyBook:
    if credit is not None:
        return MyBook(book, CREDITED, credited_how=credit.get_how_display(), reflection=reflection)
    if reflection is not None and reflection.state == Reflection.State.PENDING:
        return MyBook(book, PENDING, reflection=reflection)
    if reflection is not None and reflection.state == Reflection.State.RETURNED:
        return MyBook(book, RETURNED, reason=reflection.reason, reflection=reflection)
    return MyBook(book, QUIZ_TO_TAKE if book.exam_id else NOT_STARTED)


def my_book(actor: Actor, book_id: int) -> MyBook:
    """One book of a list that applies to the actor as a member, with their state; 404 else."""
    member = _member(actor)
    book = (
        Book.objects.filter(pk=book_id, reading_list__org__path__in=ancestor_paths(member.org.path))
        .select_related("reading_list__org", "exam")
        .first()
    )
    if book is None:
        raise Http404
    credit = ReadingCredit.objects.filter(member=member, book=book).first()
    reflection = (
        Reflection.objects.filter(member=member, book=book).order_by("-created_at", "-id").first()
    )
    return _my_book(book, credit, reflection)


# -- the secretary's queue ---------------------------------------------------------------------


def reflections_pending(actor: Actor) -> QuerySet[Reflection]:
    """The 心得 waiting for a decision of the members in the actor's charge, oldest first (the
    actor's own left out: another manager decides on it)."""
    require_staff(actor)
    rows = Reflection.objects.manageable_by(actor).filter(state=Reflection.State.PENDING)
    own = scope_of(actor).member_id
    if own and not scope_of(actor).platform:
        rows = rows.exclude(member_id=own)
    return rows.select_related("member__org", "book__reading_list", "entry").order_by(
        "created_at", "id"
    )


def reflection_for_staff(actor: Actor, pk: int) -> Reflection:
    require_staff(actor)
    return get_visible_or_404(actor, Reflection, pk)
