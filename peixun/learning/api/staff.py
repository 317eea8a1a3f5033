"""The staff side of /api/v1/learning/: online classes (网络专题班) with their courses, progress per
branch, who has not started and reminders; the catalogue as staff read it; the strikes log.

Statuses as elsewhere in API v1: anonymous 401; a plain member 404 (their classes and courses are
on the member routes); out of scope 404; a visible class the caller may not change 403; bad
values 422 with the field named.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Count, Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.core.permissions import require_manage
from peixun.orgs.selectors import org_field

from ..models import Course, OnlineClass, Strike
from ..selectors import catalogue as catalogue_selectors
from ..selectors import classes as selectors
from ..services import classes as services

router = Router(tags=["learning"])


class AssignmentOut(Schema):
    course_id: int
    title: str
    required: bool
    course_state: str

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.course.title)

    @staticmethod
    def resolve_course_state(obj: Any) -> str:
        return str(obj.course.state)


class OnlineClassOut(Schema):
    id: int
    org: OrgRef
    title: str
    year: int
    starts_on: dt.date
    ends_on: dt.date
    description: str
    audience_org: OrgRef
    audience_statuses: list[str]
    audience_positions: list[str]
    audience_cadre_ranks: list[str]
    elective_minimum: int
    state: str
    published_at: dt.datetime | None


class OnlineClassDetailOut(OnlineClassOut):
    courses: list[AssignmentOut]

    @staticmethod
    def resolve_courses(obj: OnlineClass) -> list[Any]:
        return selectors.class_assignments(obj)


class OnlineClassIn(Schema):
    org: Id
    title: str
    year: Year | None = None
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""
    audience_org: Id | None = None
    audience_statuses: list[str] = []
    audience_positions: list[str] = []
    audience_cadre_ranks: list[str] = []
    elective_minimum: Count = 0


class OnlineClassPatch(Schema):
    title: str | None = None
    year: Year | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    description: str | None = None
    audience_org: Id | None = None
    audience_statuses: list[str] | None = None
    audience_positions: list[str] | None = None
    audience_cadre_ranks: list[str] | None = None
    elective_minimum: Count | None = None


class CoursesIn(Schema):
    required: list[Id] = []
    electives: list[Id] = []


class ClassBranchOut(Schema):
    org: OrgRef
    parent: str
    audience: int
    not_started: int
    in_progress: int
    completed: int
    completion_rate: Decimal | None


class ClassProgressOut(Schema):
    branches: list[ClassBranchOut]
    total: ClassBranchOut


class WaitingOut(Schema):
    id: int
    name: str
    org: OrgRef
    status: str


class RemindOut(Schema):
    told: int


class CatalogueCourseOut(Schema):
    id: int
    org: OrgRef
    title: str
    topic: str
    hours: Decimal | None
    move_on: str
    watch_percent: int
    allow_skip: bool
    state: str
    item_count: int


class StrikeOut(Schema):
    id: int
    at: dt.datetime
    member_id: int
    member_name: str
    org: OrgRef
    course_id: int
    item_id: int
    reason: str

    @staticmethod
    def resolve_member_name(obj: Strike) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_course_id(obj: Strike) -> int:
        return int(obj.item.course_id)


def _class(request: HttpRequest, online_class_id: int) -> OnlineClass:
    return selectors.online_class_for_staff(request.user, online_class_id)


def _data(
    request: HttpRequest, payload: dict[str, Any], org_key: str = "audience_org"
) -> dict[str, Any]:
    if payload.get(org_key) is not None:
        payload[org_key] = org_field(request.user, org_key, payload[org_key])
    return payload


@router.get("/classes", response=list[OnlineClassOut])
@paginate(Paged)
def list_classes(
    request: HttpRequest, q: str = "", year: YearParam | None = None, state: str = ""
) -> Any:
    """The online classes organised at, above or below the caller's orgs, newest first."""
    selectors.require_staff(request.user)
    return selectors.online_classes(request.user, q=q, year=year, state=state)


@router.post("/classes", response={201: OnlineClassDetailOut})
def create_class(request: HttpRequest, payload: OnlineClassIn) -> Status[Any]:
    selectors.require_staff(request.user)
    org = org_field(request.user, "org", payload.org)
    require_manage(request.user, org)
    data = _data(request, payload.dict(exclude={"org"}))
    return Status(201, services.online_class_create(actor=request.user, org=org, data=data))


@router.get("/classes/{int:online_class_id}", response=OnlineClassDetailOut)
def get_class(request: HttpRequest, online_class_id: IdParam) -> OnlineClass:
    return _class(request, online_class_id)


@router.patch("/classes/{int:online_class_id}", response=OnlineClassDetailOut)
def update_class(
    request: HttpRequest, online_class_id: IdParam, payload: OnlineClassPatch
) -> OnlineClass:
    online_class = _class(request, online_class_id)
    require_manage(request.user, online_class.org)
    data = _data(request, payload.dict(exclude_unset=True))
    return services.online_class_update(actor=request.user, online_class=online_class, data=data)


@router.put("/classes/{int:online_class_id}/courses", response=OnlineClassDetailOut)
def set_courses(request: HttpRequest, online_class_id: IdParam, payload: CoursesIn) -> OnlineClass:
    """Make the class's courses exactly these (required first, in the order given)."""
    online_class = _class(request, online_class_id)
    require_manage(request.user, online_class.org)
    wanted = [*payload.required, *payload.electives]
    shared = catalogue_selectors.catalogue(request.user, include_retired=True).in_bulk(wanted)
    missing = [pk for pk in wanted if pk not in shared]
    if missing:
        raise ValidationError({"courses": _("No such course in your scope: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in missing)}})  # fmt: skip
    services.online_class_set_courses(
        actor=request.user,
        online_class=online_class,
        required=[shared[pk] for pk in payload.required],
        electives=[shared[pk] for pk in payload.electives],
    )
    return online_class


@router.post("/classes/{int:online_class_id}/publish", response=OnlineClassDetailOut)
def publish_class(request: HttpRequest, online_class_id: IdParam) -> OnlineClass:
    online_class = _class(request, online_class_id)
    return services.online_class_publish(actor=request.user, online_class=online_class)


@router.post("/classes/{int:online_class_id}/cancel", response=OnlineClassDetailOut)
def cancel_class(request: HttpRequest, online_class_id: IdParam) -> OnlineClass:
    online_class = _class(request, online_class_id)
    return services.online_class_cancel(actor=request.user, online_class=online_class)


@router.post("/classes/{int:online_class_id}/remind", response=RemindOut)
def remind_class(request: HttpRequest, online_class_id: IdParam) -> dict[str, int]:
    """Remind the caller's members (their branch, or their subtree) who have not started, while
    the class is open; once a day per member."""
    online_class = _class(request, online_class_id)
    return {"told": services.online_class_remind(actor=request.user, online_class=online_class)}


def _branch(row: selectors.BranchProgress) -> dict[str, Any]:
    return {"org": row.org, "parent": row.parent, "audience": row.audience,
            "not_started": row.not_started, "in_progress": row.in_progress,
            "completed": row.completed, "completion_rate": row.completion_rate}  # fmt: skip


@router.get("/classes/{int:online_class_id}/progress", response=ClassProgressOut)
def class_progress(request: HttpRequest, online_class_id: IdParam) -> dict[str, Any]:
    """The class's progress per organisation of the members the caller reads, and the total."""
    rows, total = selectors.branch_progress(request.user, _class(request, online_class_id))
    return {"branches": [_branch(r) for r in rows], "total": _branch(total)}


@router.get("/classes/{int:online_class_id}/not-started", response=list[WaitingOut])
@paginate(Paged)
def class_not_started(request: HttpRequest, online_class_id: IdParam, q: str = "") -> Any:
    """Members of the audience the caller reads who have not started, by branch and name."""
    return selectors.not_started_members(request.user, _class(request, online_class_id), q=q)


@router.get("/catalogue", response=list[CatalogueCourseOut])
@paginate(Paged)
def list_catalogue(request: HttpRequest, q: str = "", topic: str = "", state: str = "") -> Any:
    """The courses shared with the caller's orgs (owned at, above or below them)."""
    selectors.require_staff(request.user)
    if state and state not in Course.State.values:
        state = ""
    return catalogue_selectors.catalogue(request.user, q=q, topic=topic, state=state)


@router.get("/strikes", response=list[StrikeOut])
@paginate(Paged)
def list_strikes(request: HttpRequest, q: str = "", reason: str = "") -> Any:
    """Refused progress reports of the members the caller reads, newest first."""
    return catalogue_selectors.strikes(request.user, q=q, reason=reason)
