"""/api/v1/learning/reading-lists/: the 必读书目 over the same services and selectors as the pages.

Staff: the lists (of the caller's orgs, above and below), a list with its books, create and
change them (the org's managers), the progress per branch, and the 心得 waiting for a decision.
Members: their lists of a year with each book's state, and filing a 心得 on a book. Statuses as
elsewhere in API v1: anonymous 401; a plain member 404 on the staff routes; out of scope 404; a
visible list the caller may not change 403; bad values 422 with the field named.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Flag, Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.orgs.selectors import org_field

from ..models import Book, ReadingList, Reflection
from ..selectors import reading as selectors
from ..selectors.classes import require_staff
from ..services import reading as services

router = Router(tags=["learning"])


class ReadingBookOut(Schema):
    id: int
    title: str
    author: str
    publisher: str
    isbn: str
    required: bool
    hours: Decimal
    topic: str
    exam_id: int | None


class ReadingListOut(Schema):
    id: int
    org: OrgRef
    year: int
    title: str
    note: str


class ReadingListDetailOut(ReadingListOut):
    books: list[ReadingBookOut]

    @staticmethod
    def resolve_books(obj: ReadingList) -> list[Book]:
        return selectors.list_books(obj)


class ReadingListIn(Schema):
    org: Id
    year: Year
    title: str
    note: str = ""


class ReadingListPatch(Schema):
    year: Year | None = None
    title: str | None = None
    note: str | None = None


class ReadingBookIn(Schema):
    title: str
    author: str = ""
    publisher: str = ""
    isbn: str = ""
    required: Flag = True
    hours: Decimal = Decimal(0)
    topic: str = "other"
    exam: Id | None = None


class ReadingBookPatch(Schema):
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    isbn: str | None = None
    required: Flag | None = None
    hours: Decimal | None = None
    topic: str | None = None
    exam: Id | None = None


class ReadingBranchOut(Schema):
    org: OrgRef
    parent: str
    readers: int
    credited: dict[int, int]
    none: int


class ReadingProgressOut(Schema):
    required_books: list[int]
    branches: list[ReadingBranchOut]
    total: ReadingBranchOut


class MyReadingBookOut(Schema):
    book: ReadingBookOut
    state: str
    reason: str
    credited_how: str


class MyReadingListOut(Schema):
    reading_list: ReadingListOut
    books: list[MyReadingBookOut]


class ReflectionIn(Schema):
    text: str


class ReflectionDecideIn(Schema):
    reason: str = ""


class ReadingReflectionOut(Schema):
    id: int
    book_id: int
    member_id: int
    member_name: str
    text: str
    state: str
    reason: str
    hours: Decimal | None
    created_at: dt.datetime

    @staticmethod
    def resolve_member_name(obj: Reflection) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_hours(obj: Reflection) -> Decimal | None:
        return obj.entry.hours if obj.entry is not None else None


def _list(request: HttpRequest, pk: int) -> ReadingList:
    return selectors.reading_list_for_staff(request.user, pk)


def _book_data(actor: Actor, payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("exam") is not None:
        exam = selectors.quiz_choices(actor).filter(pk=payload["exam"]).first()
        if exam is None:
            raise ValidationError({"exam": _("Choose a test you can see that is not cancelled.")})
        payload["exam"] = exam
    return payload


@router.get("/reading-lists", response=list[ReadingListOut])
@paginate(Paged)
def list_reading_lists(request: HttpRequest, q: str = "", year: YearParam | None = None) -> Any:
    """The reading lists of the caller's orgs, of the orgs above and below, newest year first."""
    return selectors.reading_lists(request.user, year=year, q=q)


@router.post("/reading-lists", response={201: ReadingListDetailOut})
def create_reading_list(request: HttpRequest, payload: ReadingListIn) -> Status[Any]:
    require_staff(request.user)
    org = org_field(request.user, "org", payload.org)
    require_manage(request.user, org)
    data = payload.dict(exclude={"org"})
    return Status(201, services.reading_list_create(actor=request.user, org=org, data=data))


@router.get("/reading-lists/mine", response=list[MyReadingListOut])
def my_reading(request: HttpRequest, year: YearParam | None = None) -> list[dict[str, Any]]:
    """The caller's lists of the year (this year by default), each book with its state:
    not_started, quiz_to_take, pending, credited or returned (with the reason)."""
    lists = selectors.my_reading(request.user, year=year or timezone.localdate().year)
    return [
        {"reading_list": ml.reading_list,
         "books": [{"book": b.book, "state": b.state, "reason": b.reason,
                    "credited_how": b.credited_how} for b in ml.books]}
        for ml in lists
    ]  # fmt: skip


@router.post("/reading-lists/books/{int:book_id}/reflections", response={201: ReadingReflectionOut})
def file_reflection(request: HttpRequest, book_id: IdParam, payload: ReflectionIn) -> Status[Any]:
    """File a 心得 on a book of the caller's lists; it waits for the branch's approval."""
    row = selectors.my_book(request.user, book_id)
    return Status(
        201, services.reflection_file(actor=request.user, book=row.book, text=payload.text)
    )


@router.get("/reading-lists/reflections", response=list[ReadingReflectionOut])
@paginate(Paged)
def pending_reflections(request: HttpRequest) -> Any:
    """The 心得 of the caller's members waiting for a decision, oldest first."""
    return selectors.reflections_pending(request.user)


@router.post("/reading-lists/reflections/{int:pk}/approve", response=ReadingReflectionOut)
def approve_reflection(request: HttpRequest, pk: IdParam) -> Reflection:
    reflection = selectors.reflection_for_staff(request.user, pk)
    return services.reflection_approve(actor=request.user, reflection=reflection)


@router.post("/reading-lists/reflections/{int:pk}/return", response=ReadingReflectionOut)
def return_reflection(request: HttpRequest, pk: IdParam, payload: ReflectionDecideIn) -> Reflection:
    reflection = selectors.reflection_for_staff(request.user, pk)
    return services.reflection_return(
        actor=request.user, reflection=reflection, reason=payload.reason
    )


@router.get("/reading-lists/{int:pk}", response=ReadingListDetailOut)
def get_reading_list(request: HttpRequest, pk: IdParam) -> ReadingList:
    return _list(request, pk)


@router.patch("/reading-lists/{int:pk}", response=ReadingListDetailOut)
def update_reading_list(
    request: HttpRequest, pk: IdParam, payload: ReadingListPatch
) -> ReadingList:
    reading_list = _list(request, pk)
    require_manage(request.user, reading_list.org)
    data = {"title": reading_list.title, "year": reading_list.year, "note": reading_list.note}
    data.update(payload.dict(exclude_unset=True))
    return services.reading_list_update(actor=request.user, reading_list=reading_list, data=data)


@router.post("/reading-lists/{int:pk}/books", response={201: ReadingBookOut})
def add_book(request: HttpRequest, pk: IdParam, payload: ReadingBookIn) -> Status[Any]:
    reading_list = _list(request, pk)
    require_manage(request.user, reading_list.org)
    data = _book_data(request.user, payload.dict())
    return Status(201, services.book_add(actor=request.user, reading_list=reading_list, data=data))


@router.patch("/reading-lists/{int:pk}/books/{int:book_id}", response=ReadingBookOut)
def update_book(
    request: HttpRequest, pk: IdParam, book_id: IdParam, payload: ReadingBookPatch
) -> Book:
    reading_list = _list(request, pk)
    require_manage(request.user, reading_list.org)
    book = selectors.book_for_staff(request.user, reading_list, book_id)
    data: dict[str, Any] = {name: getattr(book, name) for name in services.BOOK_FIELDS}
    data.update(_book_data(request.user, payload.dict(exclude_unset=True)))
    return services.book_update(actor=request.user, book=book, data=data)


@router.delete("/reading-lists/{int:pk}/books/{int:book_id}", response={204: None})
def remove_book(request: HttpRequest, pk: IdParam, book_id: IdParam) -> Status[None]:
    reading_list = _list(request, pk)
    require_manage(request.user, reading_list.org)
    book = selectors.book_for_staff(request.user, reading_list, book_id)
    services.book_remove(actor=request.user, book=book)
    return Status(204, None)


def _branch(row: selectors.BranchReading) -> dict[str, Any]:
    return {"org": row.org, "parent": row.parent, "readers": row.readers,
            "credited": row.credited, "none": row.none}  # fmt: skip


@router.get("/reading-lists/{int:pk}/progress", response=ReadingProgressOut)
def reading_progress(request: HttpRequest, pk: IdParam) -> dict[str, Any]:
    """Per organisation of the readers the caller reads: readers, members credited with each
    required book (by book id), readers with no book credited; and the total."""
    books, rows, total = selectors.list_progress(request.user, _list(request, pk))
    return {"required_books": [b.pk for b in books], "branches": [_branch(r) for r in rows],
            "total": _branch(total)}  # fmt: skip
