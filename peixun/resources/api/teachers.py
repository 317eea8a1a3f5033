"""/api/v1/resources/teachers/: the 师资库 through the same selectors and services as the pages.

Statuses as elsewhere in API v1: anonymous 401; a teacher out of scope 404 (the list is for
staff: others 404); a visible teacher the actor may not change 403; bad values 422 by field.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, query_error

from ..models import Subject, Teacher, TeacherTitle
from ..registry import TeacherRating
from ..selectors import teachers as selectors
from ..services import teachers as services

router = Router(tags=["resources"])


class TeacherRatingOut(Schema):
    """Evaluation results: `average` stays null below the tenant's response threshold."""

    responses: int
    average: Decimal | None
    surveys: int


class TeacherOut(Schema):
    id: int
    name: str
    unit: str
    position: str
    title: str
    title_label: str
    subjects: list[str]
    org: OrgRef
    open_to: OrgRef
    member_id: int | None
    has_login: bool
    active: bool
    left_on: dt.date | None
    left_reason: str
    session_count: int

    @staticmethod
    def resolve_title_label(obj: Teacher) -> str:
        return str(obj.get_title_display())

    @staticmethod
    def resolve_subjects(obj: Teacher) -> list[str]:
        return [s.subject for s in obj.subjects.all()]

    @staticmethod
    def resolve_has_login(obj: Teacher) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_session_count(obj: Teacher) -> int:
        return int(getattr(obj, "session_count", 0))


class TeacherSessionOut(Schema):
    event_id: int
    class_id: int
    class_title: str
    title: str
    starts_at: dt.datetime
    hours: Decimal
    topic: str


class TeacherDetailOut(TeacherOut):
    phone: str
    bio: str
    rating: TeacherRatingOut | None
    sessions: list[TeacherSessionOut]

    @staticmethod
    def resolve_rating(obj: Teacher) -> TeacherRating | None:
        return getattr(obj, "rating_shown", None)

    @staticmethod
    def resolve_sessions(obj: Teacher) -> list[Any]:
        return list(getattr(obj, "history", []))


class TeacherIn(Schema):
    """A teacher of the pool kept by `org`; `open_to` (default: the keeper) is the org whose
    subtree may use them; `subjects` are values of `/api/v1/resources/teachers/subjects`."""

    org: Id
    open_to: Id | None = None
    member: Id | None = None
    name: str = ""
    unit: str = ""
    position: str = ""
    title: str = TeacherTitle.NONE
    phone: str = ""
    bio: str = ""
    subjects: list[str]


class TeacherPatch(Schema):
    open_to: Id | None = None
    member: Id | None = None
    name: str | None = None
    unit: str | None = None
    position: str | None = None
    title: str | None = None
    phone: str | None = None
    bio: str | None = None
    subjects: list[str] | None = None


class TeacherLeaveIn(Schema):
    reason: str
    left_on: dt.date | None = None


class TeacherChoiceOut(Schema):
    value: str
    label: str


def _staff(request: HttpRequest) -> None:
    selectors.require_pool_reader(request.user)


def _detail(request: HttpRequest, teacher_id: int) -> Teacher:
    """The teacher with what the detail schema reads besides the row: history and rating."""
    teacher = selectors.teacher_detail(request.user, teacher_id)
    history = selectors.teaching_history(teacher)
    teacher.history = history  # type: ignore[attr-defined]
    teacher.session_count = len(history)  # type: ignore[attr-defined]
    teacher.rating_shown = selectors.teacher_rating(teacher)  # type: ignore[attr-defined]
    return teacher


def _refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """`open_to` and `member` ids as the objects the service checks; one out of the actor's
    reach is a field error (422)."""
    out = dict(data)
    if out.get("open_to") is not None:
        org = selectors.open_to_candidates(request.user).filter(pk=out["open_to"]).first()
        if org is None:
            raise ValidationError({"open_to": _("No such organization in your scope.")})
        out["open_to"] = org
    if out.get("member") is not None:
        member = selectors.member_candidates(request.user).filter(pk=out["member"]).first()
        if member is None:
            raise ValidationError({"member": _("No such member in your scope.")})
        out["member"] = member
    return out


@router.get("/teachers/subjects", response=list[TeacherChoiceOut])
def teacher_subjects(request: HttpRequest) -> list[dict[str, str]]:
    """The subjects a teacher is classified by."""
    _staff(request)
    return [{"value": v, "label": str(label)} for v, label in Subject.choices]


@router.get("/teachers/", response=list[TeacherOut])
@paginate(Paged)
def list_teachers(
    request: HttpRequest,
    q: str = "",
    subject: str = "",
    title: str = "",
    keeper: IdParam | None = None,
    active: str = "true",
) -> Any:
    """The pool the actor sees: by name or work unit (`q`), subject, title, keeper and whether
    still in the pool (`active`: true, the default; false for those who left; all)."""
    _staff(request)
    states = {"true": True, "false": False, "all": None}
    if active not in states:
        raise query_error("active", _("Give true, false or all."))
    return selectors.teachers_search(
        request.user, text=q.strip()[:100], subject=subject, title=title, keeper=keeper,
        active=states[active],
    )  # fmt: skip


@router.post("/teachers/", response={201: TeacherDetailOut})
def create_teacher(request: HttpRequest, payload: TeacherIn) -> Status[Any]:
    _staff(request)
    keeper = selectors.keeper_candidates(request.user).filter(pk=payload.org).first()
    if keeper is None:
        raise ValidationError({"org": _("No such organization whose pool you manage.")})
    data = _refs(request, payload.dict(exclude={"org"}))
    teacher = services.teacher_create(actor=request.user, org=keeper, data=data)
    return Status(201, _detail(request, teacher.pk))


@router.get("/teachers/{int:teacher_id}", response=TeacherDetailOut)
def get_teacher(request: HttpRequest, teacher_id: IdParam) -> Teacher:
    """A teacher with their teaching history and evaluation results (a teacher's own login
    reads their own record)."""
    return _detail(request, teacher_id)


@router.patch("/teachers/{int:teacher_id}", response=TeacherDetailOut)
def update_teacher(request: HttpRequest, teacher_id: IdParam, payload: TeacherPatch) -> Teacher:
    teacher = selectors.teacher_detail(request.user, teacher_id)
    data: dict[str, Any] = {
        "open_to": teacher.open_to, "member": teacher.member, "name": teacher.name,
        "unit": teacher.unit, "position": teacher.position, "title": teacher.title,
        "phone": teacher.phone, "bio": teacher.bio,
        "subjects": [s.subject for s in teacher.subjects.all()],
    }  # fmt: skip
    changes = payload.dict(exclude_unset=True)
    data.update(_refs(request, changes))
    services.teacher_update(actor=request.user, teacher=teacher, data=data)
    return _detail(request, teacher_id)


@router.post("/teachers/{int:teacher_id}/leave", response=TeacherDetailOut)
def leave_teacher(request: HttpRequest, teacher_id: IdParam, payload: TeacherLeaveIn) -> Teacher:
    """退出: the teacher is offered to classes no more; their history stays."""
    teacher = selectors.teacher_detail(request.user, teacher_id)
    services.teacher_leave(
        actor=request.user, teacher=teacher, reason=payload.reason, left_on=payload.left_on
    )
    return _detail(request, teacher_id)


@router.post("/teachers/{int:teacher_id}/rejoin", response=TeacherDetailOut)
def rejoin_teacher(request: HttpRequest, teacher_id: IdParam) -> Teacher:
    teacher = selectors.teacher_detail(request.user, teacher_id)
    services.teacher_rejoin(actor=request.user, teacher=teacher)
    return _detail(request, teacher_id)
