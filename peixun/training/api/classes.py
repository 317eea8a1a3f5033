"""API v1 for classes and their curriculum, under /api/v1/training/: reads through
`training.selectors`, writes through `training.services.classes`.

Statuses, as in the other apps' APIs:
- anonymous 401;
- a class (or an organiser in a query filter) out of the actor's scope 404, and a session id that
  is not the class's 404;
- a visible class the actor may not manage (a viewer, an enrolled member) 403 on every write, and
  creating a class for a visible organisation the actor does not manage 403;
- the organiser or audience named in the body that the actor cannot see, or any bad value, 422
  with the field named.
Hours and shares are decimals, sent as strings so that nothing is rounded.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Count, Id, IdParam, OrgRef, Paged, YearParam, query_error
from peixun.core.scoping import Actor, get_visible_or_404
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field
from peixun.plans.selectors import plan_item_visible

from .. import selectors
from ..models import ClassKind, Session, TrainingClass
from ..services import classes as services

router = Router(tags=["training"])


# -- schemas -------------------------------------------------------------------------------------


class ClassOut(Schema):
    id: int
    org: OrgRef
    title: str
    kind: str
    kind_label: str
    full_time: bool
    online: bool
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    description: str
    topic: str
    topic_label: str
    audience_org: OrgRef
    audience_statuses: list[str]
    audience_positions: list[str]
    audience_cadre_ranks: list[str]
    capacity: int
    plan_item_id: int | None
    state: str
    state_label: str
    theory_override_reason: str
    published_at: dt.datetime | None
    session_count: int
    hours_total: Decimal
    enrolled_count: int

    @staticmethod
    def resolve_kind_label(obj: TrainingClass) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_topic_label(obj: TrainingClass) -> str:
        return str(obj.get_topic_display())

    @staticmethod
    def resolve_state_label(obj: TrainingClass) -> str:
        return str(obj.get_state_display())


class ClassIn(Schema):
    """A draft class organised by `org`; the audience defaults to the organiser's subtree, and
    empty audience lists mean any status, position or cadre rank."""

    org: Id
    title: str
    kind: str
    topic: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: Count
    full_time: bool = False
    online: bool = False
    venue: str = ""
    description: str = ""
    audience_org: Id | None = None
    audience_statuses: list[str] = []
    audience_positions: list[str] = []
    audience_cadre_ranks: list[str] = []
    plan_item: Id | None = None


class ClassPatchIn(Schema):
    """Only the fields sent are changed; the organiser stays."""

    title: str | None = None
    kind: str | None = None
    topic: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    capacity: Count | None = None
    full_time: bool | None = None
    online: bool | None = None
    venue: str | None = None
    description: str | None = None
    audience_org: Id | None = None
    audience_statuses: list[str] | None = None
    audience_positions: list[str] | None = None
    audience_cadre_ranks: list[str] | None = None
    plan_item: Id | None = None


class SessionOut(Schema):
    id: int
    event_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    topic: str
    topic_label: str
    type: str
    type_label: str
    teacher: str
    pool_teacher_id: int | None  # the teacher of the 师资库 (GET /api/v1/resources/teachers/{id})
    place: str
    signout_required: bool
    event_state: str

    @staticmethod
    def resolve_title(obj: Session) -> str:
        return obj.event.title

    @staticmethod
    def resolve_starts_at(obj: Session) -> dt.datetime:
        return obj.event.starts_at

    @staticmethod
    def resolve_ends_at(obj: Session) -> dt.datetime:
        return obj.event.ends_at

    @staticmethod
    def resolve_hours(obj: Session) -> Decimal:
        return obj.event.hours

    @staticmethod
    def resolve_topic(obj: Session) -> str:
        return obj.event.topic

    @staticmethod
    def resolve_topic_label(obj: Session) -> str:
        return str(obj.event.get_topic_display())

    @staticmethod
    def resolve_type_label(obj: Session) -> str:
        return str(obj.get_type_display())

    @staticmethod
    def resolve_place(obj: Session) -> str:
        return obj.event.place

    @staticmethod
    def resolve_signout_required(obj: Session) -> bool:
        return obj.event.signout_required

    @staticmethod
    def resolve_event_state(obj: Session) -> str:
        return obj.event.state


class SessionIn(Schema):
    """A session within the class's dates; `topic` defaults to the class's main topic and an
    empty `place` to the class's venue."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    type: str
    topic: str = ""
    teacher: str = ""
    # A teacher of the 师资库 open to the organiser; their name replaces `teacher`.
    pool_teacher_id: Id | None = None
    place: str = ""
    signout_required: bool = False


class SessionPatchIn(Schema):
    title: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    hours: Decimal | None = None
    type: str | None = None
    topic: str | None = None
    teacher: str | None = None
    pool_teacher_id: Id | None = None  # an explicit null unlinks the pool teacher
    place: str | None = None
    signout_required: bool | None = None


class TheoryShareOut(Schema):
    theory_hours: Decimal
    total_hours: Decimal
    share: Decimal | None
    minimum: Decimal
    ok: bool
    applies: bool  # the class's kind is held to the minimum
    blocks_publication: bool  # applies and below the minimum: publishing needs a reason


class ClassPublishIn(Schema):
    override_reason: str = ""


class CancelIn(Schema):
    reason: str = ""


# -- helpers -------------------------------------------------------------------------------------


def class_out(actor: Actor, pk: int) -> TrainingClass:
    return selectors.class_with_figures(actor, pk)


def check_choice(field: str, value: str, values: list[str]) -> None:
    if value and value not in values:
        raise query_error(
            field, _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(values)}
        )


def session_of(training_class: TrainingClass, session_id: int) -> Session:
    return selectors.session_of_class_or_404(training_class, session_id)


CLEARABLE = ("plan_item", "audience_org")


def _audience(actor: Actor, data: dict[str, Any]) -> None:
    if data.get("audience_org") is not None:
        data["audience_org"] = org_field(actor, "audience_org", data["audience_org"])
    if data.get("plan_item") is not None:
        item = plan_item_visible(actor, data["plan_item"])
        if item is None:
            raise ValidationError({"plan_item": _("No such plan item in your scope.")})
        data["plan_item"] = item


# -- classes -------------------------------------------------------------------------------------


@router.get("/classes", response=list[ClassOut])
@paginate(Paged)
def list_classes(
    request: HttpRequest,
    year: YearParam | None = None,
    state: str = "",
    kind: str = "",
    org: IdParam | None = None,
    q: str = "",
) -> Any:
    """Classes the actor may see, newest first: the organiser's readers, units given places,
    readers above an enrolled member, and an enrolled member. `org` is the organiser."""
    if year is not None and not 2000 <= year <= 2100:
        raise query_error(
            "year", _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": 2100}
        )
    check_choice("state", state, TrainingClass.State.values)
    check_choice("kind", kind, ClassKind.values)
    organiser = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return selectors.class_list(
        request.user, year=year, state=state, kind=kind, org=organiser, q=q
    ).select_related("audience_org")


@router.post("/classes", response={201: ClassOut})
def create_class(request: HttpRequest, payload: ClassIn) -> Status[TrainingClass]:
    """A draft class; the actor must manage the organiser."""
    actor = request.user
    data = payload.dict()
    org = org_field(actor, "org", data.pop("org"))
    _audience(actor, data)
    training_class = services.class_create(actor=actor, org=org, **data)
    return Status(201, class_out(actor, training_class.pk))


@router.get("/classes/{int:class_id}", response=ClassOut)
def get_class(request: HttpRequest, class_id: IdParam) -> TrainingClass:
    return class_out(request.user, class_id)


@router.patch("/classes/{int:class_id}", response=ClassOut)
def update_class(request: HttpRequest, class_id: IdParam, payload: ClassPatchIn) -> TrainingClass:
    """Change a draft or published class; a closed or cancelled one answers 422."""
    actor = request.user
    training_class = selectors.class_get(actor, class_id)
    # An explicit null clears the plan item, or puts the audience back to the organiser.
    data = {
        k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in CLEARABLE
    }
    _audience(actor, data)
    services.class_update(actor=actor, training_class=training_class, **data)
    return class_out(actor, class_id)


# -- sessions ------------------------------------------------------------------------------------


@router.get("/classes/{int:class_id}/sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest, class_id: IdParam) -> Any:
    """The class's curriculum in time order."""
    return selectors.class_sessions(selectors.class_get(request.user, class_id))


@router.post("/classes/{int:class_id}/sessions", response={201: SessionOut})
def add_session(request: HttpRequest, class_id: IdParam, payload: SessionIn) -> Status[Session]:
    training_class = selectors.class_get(request.user, class_id)
    session = services.session_add(
        actor=request.user, training_class=training_class, **payload.dict()
    )
    return Status(201, session_of(training_class, session.pk))


@router.patch("/classes/{int:class_id}/sessions/{int:session_id}", response=SessionOut)
def update_session(
    request: HttpRequest, class_id: IdParam, session_id: IdParam, payload: SessionPatchIn
) -> Session:
    training_class = selectors.class_get(request.user, class_id)
    session = session_of(training_class, session_id)
    data = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k == "pool_teacher_id"
    }
    services.session_update(actor=request.user, session=session, **data)
    return session_of(training_class, session_id)


@router.delete("/classes/{int:class_id}/sessions/{int:session_id}", response={204: None})
def delete_session(request: HttpRequest, class_id: IdParam, session_id: IdParam) -> HttpResponse:
    """Remove a session nobody attended, asked leave for or must make up (else 422)."""
    training_class = selectors.class_get(request.user, class_id)
    services.session_remove(actor=request.user, session=session_of(training_class, session_id))
    return HttpResponse(status=204)


# -- theory share, publish, cancel ---------------------------------------------------------------


@router.get("/classes/{int:class_id}/theory-share", response=TheoryShareOut)
def get_theory_share(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """Hours of the sessions on theory topics against all the class's hours, and the tenant's
    minimum. Special-topic, rotation and Party-spirit classes are held to it."""
    training_class = selectors.class_get(request.user, class_id)
    figures = services.theory_share(training_class)
    applies = services.theory_check_applies(training_class)
    return {
        **figures._asdict(),
        "applies": applies,
        "blocks_publication": applies and not figures.ok,
    }


@router.post("/classes/{int:class_id}/publish", response=ClassOut)
def publish_class(
    request: HttpRequest, class_id: IdParam, payload: ClassPublishIn
) -> TrainingClass:
    """Publish a draft class with at least one session; below the theory share minimum it needs
    `override_reason` (else 422 naming that field)."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_publish(
        actor=request.user,
        training_class=training_class,
        override_reason=payload.override_reason,
    )
    return class_out(request.user, class_id)


@router.post("/classes/{int:class_id}/cancel", response=ClassOut)
def cancel_class(request: HttpRequest, class_id: IdParam, payload: CancelIn) -> TrainingClass:
    """Cancel a draft or published class none of whose sessions has credited hours."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_cancel(actor=request.user, training_class=training_class, reason=payload.reason)
    return class_out(request.user, class_id)
