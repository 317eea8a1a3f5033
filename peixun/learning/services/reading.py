"""Every write of the 必读书目: lists and their books (the org's managers), a member's 心得 on a book,
its approval or return, and the credit a book earns.

A credit is written in two places only, each with its evidence: `_credit_from_attempt`, called by
the exams app when an attempt at a book's quiz is graded and passed (and by `book_add` /
`book_update` for the passes before the quiz was linked), and `_reflection_approved`, when the
branch approves a 心得. A 心得 on a book that credits hours is a pending self-study entry of the
ledger (reference ``book:<id>``), so it is decided wherever the hours flow decides filings (the
pending page, a bulk approval, or the reading queue here), two stages included; the hours app
tells us through `hours.registry.register_entry_decided`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, scope_of
from peixun.exams.models import Attempt, Exam
from peixun.hours.models import HOURS_STEP, MAX_ENTRY_HOURS, CreditEntry, Topic
from peixun.hours.services.entries import entry_approve, entry_reject, self_study_file
from peixun.members.models import Member
from peixun.orgs.models import Organization, ancestor_paths
from peixun.orgs.selectors import reader_scope_org_name

from ..documents.reading import reading_progress_workbook
from ..models.reading import (
    MAX_REFLECTION_CHARS,
    MIN_REFLECTION_CHARS,
    Book,
    ReadingCredit,
    ReadingList,
    Reflection,
)
from ..selectors.reading import list_progress, readers_without_credit

LIST_FIELDS = ["title", "year", "note"]
BOOK_FIELDS = ["title", "author", "publisher", "isbn", "required", "hours", "topic", "exam"]
MAX_BOOKS = 100
REFERENCE_PREFIX = "book:"


def book_reference(book: Book) -> str:
    return f"{REFERENCE_PREFIX}{book.pk}"


# -- lists -------------------------------------------------------------------------------------


def _clean_list(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = str(data.get("title") or "").strip()[:200]
    if not title:
        errors["title"] = _("Give the list a title.")
    try:
        year = int(data.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    note = str(data.get("note") or "").strip()
    if len(note) > 2000:
        errors["note"] = _("At most 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "year": year, "note": note}


@transaction.atomic
def reading_list_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> ReadingList:
    require_manage(actor, org)
    reading_list = ReadingList.objects.create(
        org=org, created_by_id=actor_id(actor), **_clean_list(data)
    )
    audit_record(
        actor=actor, verb="learning.reading_list.create", obj=reading_list, org=org,
        after=snapshot(reading_list, ["org", *LIST_FIELDS]),
    )  # fmt: skip
    return reading_list


@transaction.atomic
def reading_list_update(
    *, actor: Actor, reading_list: ReadingList, data: dict[str, Any]
) -> ReadingList:
    require_manage(actor, reading_list.org)
    before = snapshot(reading_list, LIST_FIELDS)
    for name, value in _clean_list(data).items():
        setattr(reading_list, name, value)
    reading_list.save(update_fields=LIST_FIELDS)
    audit_record(
        actor=actor, verb="learning.reading_list.update", obj=reading_list,
        org=reading_list.org, before=before, after=snapshot(reading_list, LIST_FIELDS),
    )  # fmt: skip
    return reading_list


# -- books -------------------------------------------------------------------------------------


def clean_isbn(raw: Any) -> str:
    """An ISBN-13 (or an ISBN-10, converted to 13 digits) with its check digit right, or ""."""
    text = re.sub(r"[\s\-]", "", str(raw or "")).upper()
    if not text:
        return ""
    if re.fullmatch(r"\d{9}[\dX]", text):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(text))
        if total % 11:
            raise ValidationError({"isbn": _("This ISBN's check digit is wrong.")})
        text = "978" + text[:9]
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(text)) % 10) % 10
        return text + str(check)
    if not re.fullmatch(r"97[89]\d{10}", text):
        raise ValidationError(
            {"isbn": _("Enter an ISBN of 13 digits (or 10), such as 978-7-01-021234-5.")}
        )
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(text))
    if total % 10:
        raise ValidationError({"isbn": _("This ISBN's check digit is wrong.")})
    return text


def _clean_hours(raw: Any) -> Decimal:
    try:
        hours = Decimal(str(raw if raw not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Enter a number of hours, such as 2 or 1.5.")}) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationError({"hours": _("Hours cannot be negative.")})
    if hours > MAX_ENTRY_HOURS:
        raise ValidationError(
            {"hours": _("At most %(max)s hours in one entry.") % {"max": MAX_ENTRY_HOURS}}
        )
    if hours % HOURS_STEP:
        raise ValidationError({"hours": _("Hours go in steps of a quarter: 0.25, 0.5, 0.75, 1 …")})
    return hours


def _clean_book(actor: Actor, reading_list: ReadingList, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    clean["title"] = str(data.get("title") or "").strip().strip("《》")[:200]
    if not clean["title"]:
        errors["title"] = _("Give the book's title.")
    clean["author"] = str(data.get("author") or "").strip()[:200]
    clean["publisher"] = str(data.get("publisher") or "").strip()[:200]
    clean["required"] = bool(data.get("required", True))
    for name, check in (("isbn", clean_isbn), ("hours", _clean_hours)):
        try:
            clean[name] = check(data.get(name))
        except ValidationError as error:
            errors.update(error.message_dict)
    topic = data.get("topic") or Topic.OTHER
    if topic not in Topic.values:
        errors["topic"] = _("Unknown value.")
    clean["topic"] = topic
    exam = data.get("exam")
    if exam is not None:
        # The quiz must be a test the actor can see and still open to the list's readers: one of
        # the list's org, of an org above it or below it, not cancelled.
        visible = Exam.objects.visible_to(actor).filter(pk=getattr(exam, "pk", exam))
        found = visible.first()
        if found is None or found.state == Exam.State.CANCELLED:
            errors["exam"] = _("Choose a test you can see that is not cancelled.")
        elif not (
            found.org.path.startswith(reading_list.org.path)
            or found.org.path in ancestor_paths(reading_list.org.path)
        ):
            errors["exam"] = _(
                "The quiz must be a test of this list's organisation, above or below it."
            )
        exam = found
    clean["exam"] = exam
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def book_add(*, actor: Actor, reading_list: ReadingList, data: dict[str, Any]) -> Book:
    require_manage(actor, reading_list.org)
    if reading_list.books.count() >= MAX_BOOKS:
        raise ValidationError({"title": _("A list holds at most %(n)s books.") % {"n": MAX_BOOKS}})
    clean = _clean_book(actor, reading_list, data)
    last = reading_list.books.order_by("-position").values_list("position", flat=True).first()
    book = Book.objects.create(reading_list=reading_list, position=(last or 0) + 1, **clean)
    audit_record(
        actor=actor, verb="learning.book.add", obj=book, org=reading_list.org,
        after=snapshot(book, BOOK_FIELDS),
    )  # fmt: skip
    if book.exam_id:
        _credit_earlier_passes(book, book.exam_id)
    return book


@transaction.atomic
def book_update(*, actor: Actor, book: Book, data: dict[str, Any]) -> Book:
    reading_list = book.reading_list
    require_manage(actor, reading_list.org)
    before = snapshot(book, BOOK_FIELDS)
    for name, value in _clean_book(actor, reading_list, data).items():
        setattr(book, name, value)
    book.save()
    audit_record(
        actor=actor, verb="learning.book.update", obj=book, org=reading_list.org,
        before=before, after=snapshot(book, BOOK_FIELDS),
    )  # fmt: skip
    if book.exam_id:
        _credit_earlier_passes(book, book.exam_id)
    return book


@transaction.atomic
def book_remove(*, actor: Actor, book: Book) -> None:
    require_manage(actor, book.reading_list.org)
    if book.credits.exists() or book.reflections.exists():
        raise ValidationError(
            {"book": _("Members have read this book for credit: it stays on the list.")}
        )
    audit_record(
        actor=actor, verb="learning.book.remove", obj=book, org=book.reading_list.org,
        before=snapshot(book, BOOK_FIELDS),
    )  # fmt: skip
    book.delete()


# -- credits -----------------------------------------------------------------------------------


def _books_for_org_path(path: str) -> Any:
    """Books of the lists that apply to a member of the org at `path` (its own and above)."""
    return Book.objects.filter(reading_list__org__path__in=ancestor_paths(path))


def _credit(book: Book, member_id: int, **evidence: Any) -> ReadingCredit | None:
    """Write the credit unless the member already has one for the book (once per member)."""
    if ReadingCredit.objects.filter(book=book, member_id=member_id).exists():
        return None
    return ReadingCredit.objects.create(
        book=book, member_id=member_id, credited_at=timezone.now(), **evidence
    )


def credit_from_attempt(attempt: Attempt) -> None:
    """The exams app's listener: a passed attempt credits every book whose quiz is its exam, on
    the lists that apply to the taker's branch at the time."""
    if not attempt.passed:
        return
    org_path = Organization.objects.filter(pk=attempt.org_id).values_list("path", flat=True)[0]
    for book in _books_for_org_path(org_path).filter(exam_id=attempt.exam_id):
        if _credit(book, attempt.member_id, how=ReadingCredit.How.QUIZ, attempt=attempt):
            audit_record(
                actor=None, verb="learning.book.credit_quiz", obj=book,
                org=Organization(pk=attempt.org_id),
                after={"member": attempt.member_id, "attempt": attempt.pk},
            )  # fmt: skip


def _credit_earlier_passes(book: Book, exam_id: int) -> None:
    """A quiz linked after members passed it: each earlier pass within the list's subtree
    credits the book (the first passing attempt is the evidence)."""
    passed = (
        Attempt.objects.filter(
            exam_id=exam_id, passed=True, org__path__startswith=book.reading_list.org.path
        )
        .exclude(member_id__in=book.credits.values("member_id"))
        .order_by("member_id", "submitted_at", "pk")
    )
    seen: set[int] = set()
    for attempt in passed:
        if attempt.member_id not in seen:
            seen.add(attempt.member_id)
            _credit(book, attempt.member_id, how=ReadingCredit.How.QUIZ, attempt=attempt)


# -- 心得 ---------------------------------------------------------------------------------------


def _applies_to(book: Book, member: Member) -> bool:
    return bool(member.org.path.startswith(book.reading_list.org.path))


@transaction.atomic
def reflection_file(*, actor: Actor, book: Book, text: str) -> Reflection:
    """A member files a 心得 on a book of a list that applies to them; it waits for the branch.
    On a book that credits hours it is filed as self-study in the ledger too."""
    scope = scope_of(actor)
    if not scope.member_id:
        raise PermissionDenied(_("Only a member can file a reflection."))
    member = Member.objects.select_related("org").get(pk=scope.member_id)
    book = Book.objects.select_related("reading_list__org").get(pk=book.pk)
    if not _applies_to(book, member):
        raise PermissionDenied(_("This book is not on a list of yours."))
    text = (text or "").strip()
    if len(text) < MIN_REFLECTION_CHARS:
        raise ValidationError(
            {"text": _("Write at least %(n)s characters about what you read (%(got)s so far).")
             % {"n": MIN_REFLECTION_CHARS, "got": len(text)}}
        )  # fmt: skip
    if len(text) > MAX_REFLECTION_CHARS:
        raise ValidationError(
            {"text": _("At most %(n)s characters.") % {"n": MAX_REFLECTION_CHARS}}
        )
    if ReadingCredit.objects.filter(book=book, member=member).exists():
        raise ValidationError({"text": _("This book is already credited to you.")})
    if Reflection.objects.filter(book=book, member=member, state=Reflection.State.PENDING).exists():
        raise ValidationError({"text": _("Your reflection on this book is waiting for approval.")})
    entry = None
    if book.hours > 0:
        entry = self_study_file(
            actor=actor,
            on=timezone.localdate(),
            hours=book.hours,
            title=_("Reflection on 《%(title)s》") % {"title": book.title},
            topic=book.topic,
            reflection=text,
            reference=book_reference(book),
        )
    reflection = Reflection.objects.create(book=book, member=member, text=text, entry=entry)
    audit_record(
        actor=actor, verb="learning.reflection.file", obj=reflection, org=member.org,
        after={"book": book.pk, "entry": entry.pk if entry else None, "chars": len(text)},
    )  # fmt: skip
    return reflection


def _locked_reflection(reflection: Reflection) -> Reflection:
    locked: Reflection = (
        Reflection.objects.select_for_update(of=("self",))
        .select_related("member__org", "book", "entry")
        .get(pk=reflection.pk)
    )
    return locked


def _decide_check(actor: Actor, reflection: Reflection) -> None:
    if reflection.state != Reflection.State.PENDING:
        raise ValidationError(
            {"state": _("Only a reflection waiting for approval can be decided.")}
        )
    require_manage(actor, reflection.member.org)
    # A secretary's own 心得 is decided by another manager, never by themselves.
    if getattr(actor, "member_id", None) == reflection.member_id and not scope_of(actor).platform:
        raise PermissionDenied(_("You cannot decide on your own filing."))


def _reflection_approved(reflection: Reflection, decided_by_id: int | None) -> None:
    reflection.state = Reflection.State.APPROVED
    reflection.decided_by_id = decided_by_id
    reflection.decided_at = timezone.now()
    reflection.save(update_fields=["state", "decided_by", "decided_at"])
    # Already credited by the quiz meanwhile: the 心得 is approved, the credit stays the quiz's.
    _credit(reflection.book, reflection.member_id, how=ReadingCredit.How.REFLECTION,
            reflection=reflection)  # fmt: skip


def _reflection_returned(reflection: Reflection, reason: str, decided_by_id: int | None) -> None:
    reflection.state = Reflection.State.RETURNED
    reflection.reason = reason[:300]
    reflection.decided_by_id = decided_by_id
    reflection.decided_at = timezone.now()
    reflection.save(update_fields=["state", "reason", "decided_by", "decided_at"])


@transaction.atomic
def reflection_approve(*, actor: Actor, reflection: Reflection) -> Reflection:
    """Approve a 心得. One with a ledger entry is approved through the hours flow (two stages
    where the tenant asks for them: after the first it is still pending)."""
    reflection = _locked_reflection(reflection)
    _decide_check(actor, reflection)
    if reflection.entry is not None:
        entry_approve(actor=actor, entry=reflection.entry)  # the listener follows it
        reflection.refresh_from_db()
        return reflection
    _reflection_approved(reflection, actor_id(actor))
    audit_record(
        actor=actor, verb="learning.reflection.approve", obj=reflection,
        org=reflection.member.org, before={"state": "pending"}, after={"state": "approved"},
    )  # fmt: skip
    return reflection


@transaction.atomic
def reflection_return(*, actor: Actor, reflection: Reflection, reason: str) -> Reflection:
    reflection = _locked_reflection(reflection)
    _decide_check(actor, reflection)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the member why.")})
    if reflection.entry is not None:
        entry_reject(actor=actor, entry=reflection.entry, reason=reason)
        reflection.refresh_from_db()
        return reflection
    _reflection_returned(reflection, reason, actor_id(actor))
    audit_record(
        actor=actor, verb="learning.reflection.return", obj=reflection,
        org=reflection.member.org, before={"state": "pending"},
        after={"state": "returned", "reason": reflection.reason},
    )  # fmt: skip
    return reflection


def reflection_follow_entry(entry: CreditEntry) -> None:
    """The hours app's listener: a 心得's ledger entry was confirmed or rejected, wherever."""
    if not entry.reference.startswith(REFERENCE_PREFIX):
        return
    reflection = (
        Reflection.objects.select_for_update(of=("self",))
        .select_related("book")
        .filter(entry=entry, state=Reflection.State.PENDING)
        .first()
    )
    if reflection is None:
        return
    if entry.state == CreditEntry.State.CONFIRMED:
        _reflection_approved(reflection, entry.decided_by_id)
    elif entry.state == CreditEntry.State.REJECTED:
        _reflection_returned(reflection, entry.reason, entry.decided_by_id)


def reading_progress_export(*, actor: Actor, reading_list: ReadingList) -> bytes:
    """The list's progress 台账 as the actor reads it (names of members with no credit, so it
    is audited with how many it listed)."""
    books, rows, total = list_progress(actor, reading_list)
    waiting = list(readers_without_credit(actor, reading_list))
    content = reading_progress_workbook(
        reading_list, books, rows, total, waiting, org_name=reader_scope_org_name(actor)
    )
    audit_record(
        actor=actor, verb="learning.reading_list.progress_export", obj=reading_list,
        org=reading_list.org,
        after={"branches": len(rows), "readers": total.readers, "none": len(waiting)},
    )  # fmt: skip
    return content
