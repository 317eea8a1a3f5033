"""API v1 for dispatch (调训) under /api/v1/training/: places per unit, nominations, the
organiser's decisions, named dispatch, substitution and withdrawal. Reads through
`training.selectors`, writes through `training.services.dispatch`.

Statuses, as in the other apps' APIs:
- anonymous 401;
- a class, quota or enrolment out of the actor's scope 404 (an enrolment is in scope when its
  class is visible and it lies in the part of the roster the actor reads: all of it for the
  organiser's readers, a unit's own nominations, a member's own place);
- a visible class or enrolment the actor may not act on 403 (a viewer, a unit on the organiser's
  decisions, a plain member on the roster);
- a member or quota named in the body that the actor cannot use, or any bad value, 422 with the
  field named ("nomination over quota" names the places, those taken and those asked for).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import (
    MAX_PAGE,
    Count,
    CountParam,
    Id,
    IdParam,
    Paged,
    ReasonIn,
    Ref,
    query_error,
)
from peixun.core.scoping import Actor, can_manage_org
from peixun.members.models import Member
from peixun.orgs.selectors import org_field

from .. import selectors
from ..models import Enrolment, Quota, TrainingClass
from ..selectors.audience import MemberWarning, candidates_for
from ..services import dispatch as services

router = Router(tags=["training"])

ROSTER_STATES = [*Enrolment.State.values, "history"]


# -- schemas -------------------------------------------------------------------------------------


class QuotaOut(Schema):
    id: int
    org: Ref
    places: int
    taken: int
    left: int


class QuotaSetIn(Schema):
    org: Id
    places: Count


class PlacesIn(Schema):
    places: Count


class EnrolmentOut(Schema):
    id: int
    class_id: int
    member: Ref
    branch: Ref
    quota_id: int | None
    quota_org: Ref | None
    route: str
    route_label: str
    state: str
    state_label: str
    reason: str
    replaces_id: int | None
    flagged_for_withdrawal: bool
    nominated_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_class_id(obj: Enrolment) -> int:
        return obj.training_class_id

    @staticmethod
    def resolve_member(obj: Enrolment) -> dict[str, Any]:
        return {"id": obj.member_id, "name": obj.member.name}

    @staticmethod
    def resolve_branch(obj: Enrolment) -> dict[str, Any]:
        return {"id": obj.member.org_id, "name": obj.member.org.name}

    @staticmethod
    def resolve_quota_org(obj: Enrolment) -> dict[str, Any] | None:
        return {"id": obj.quota.org_id, "name": obj.quota.org.name} if obj.quota else None

    @staticmethod
    def resolve_route_label(obj: Enrolment) -> str:
        return str(obj.get_route_display())

    @staticmethod
    def resolve_state_label(obj: Enrolment) -> str:
        return str(obj.get_state_display())


class WarningOut(Schema):
    member_id: int
    member_name: str
    code: str
    message: str


class DispatchOut(Schema):
    enrolments: list[EnrolmentOut]
    warnings: list[WarningOut]


class NominationIn(Schema):
    quota_id: Id
    member_ids: list[Id]


class NamedIn(Schema):
    member_ids: list[Id]


class SubstituteIn(Schema):
    member_id: Id
    reason: str = ""


class CandidateOut(Schema):
    member: Ref
    branch: Ref
    status: str
    cadre_rank: str
    fits_audience: bool
    audience_reasons: list[str]
    warnings: list[WarningOut]
    enrolled_state: str
    no_concentrated_training: bool


class CandidatesOut(Schema):
    quota: QuotaOut
    count: int
    candidates: list[CandidateOut]
    without_training_count: int
    without_training: list[CandidateOut]


# -- helpers -------------------------------------------------------------------------------------


def _class(request: HttpRequest, class_id: int) -> TrainingClass:
    return selectors.class_with_audience(selectors.class_get(request.user, class_id))


def _require_roster_reader(actor: Actor, training_class: TrainingClass) -> tuple[str, ...] | None:
    paths = selectors.roster_reader_paths(actor, training_class)
    if paths is not None and not paths:
        raise PermissionDenied(_("The roster is for the organiser and the units with places."))
    return paths


def quota_out(quota: Quota) -> dict[str, Any]:
    taken = getattr(quota, "taken", None)
    if taken is None:
        taken = services.quota_taken(quota)
    return {
        "id": quota.pk,
        "org": {"id": quota.org_id, "name": quota.org.name},
        "places": quota.places,
        "taken": taken,
        "left": max(0, quota.places - taken),
    }


def _fresh(pks: list[int]) -> list[Enrolment]:
    """Enrolments fresh from the database with what `EnrolmentOut` reads, in the order of `pks`."""
    found = selectors.enrolments_by_pk(pks)
    return [found[pk] for pk in pks]


def dispatch_out(result: services.DispatchResult) -> dict[str, Any]:
    return {
        "enrolments": _fresh([e.pk for e in result.enrolments]),
        "warnings": [w.as_dict() for w in result.warnings],
    }


def members_in_scope(actor: Actor, ids: list[int], field: str = "member_ids") -> list[Member]:
    """The listed members the actor can see, in the listed order. An unknown id and one out of
    scope get the same answer, so the error never tells whether a member exists."""
    if not ids:
        raise ValidationError({field: _("Choose at least one member.")})
    if len(ids) > services.MAX_MEMBERS_PER_REQUEST:
        raise ValidationError(
            {
                field: _("At most %(max)s members in one request.")
                % {"max": services.MAX_MEMBERS_PER_REQUEST}
            }
        )
    if len(set(ids)) != len(ids):
        raise ValidationError({field: _("A member is listed twice.")})
    found = selectors.members_visible_by_pk(actor, ids)
    outside = [str(pk) for pk in ids if pk not in found]
    if outside:
        raise ValidationError(
            {field: _("Not in your scope: member %(ids)s.") % {"ids": ", ".join(outside[:20])}}
        )
    return [found[pk] for pk in ids]


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The services name fields as the pages do ("members", "member"); the API's body names
    them `names[...]` ("member_ids", "member_id")."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {names.get(name, name): messages for name, messages in error.message_dict.items()}
        )
    return error


def _enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    return selectors.enrolment_visible_or_404(request.user, enrolment_id)


def _candidate_out(c: Any) -> dict[str, Any]:
    m = c.member
    return {
        "member": {"id": m.pk, "name": m.name},
        "branch": {"id": m.org_id, "name": m.org.name},
        "status": m.status,
        "cadre_rank": m.cadre_rank,
        "fits_audience": c.fits,
        "audience_reasons": c.reasons,
        "warnings": [w.as_dict() for w in c.warnings if isinstance(w, MemberWarning)],
        "enrolled_state": c.enrolled_state,
        "no_concentrated_training": c.untrained,
    }


# -- places --------------------------------------------------------------------------------------


@router.get("/classes/{int:class_id}/quotas", response=list[QuotaOut])
def list_quotas(request: HttpRequest, class_id: IdParam) -> list[dict[str, Any]]:
    """The class's places per unit with those taken (nominated + accepted) and left. A unit sees
    its own places; the organiser's readers see all."""
    training_class = _class(request, class_id)
    paths = _require_roster_reader(request.user, training_class)
    rows = selectors.dispatch_quotas(training_class)
    if paths is not None:
        rows = [q for q in rows if any(q.org.path.startswith(p) for p in paths)]
    return [quota_out(q) for q in rows]


@router.put("/classes/{int:class_id}/quotas", response=QuotaOut)
def set_quota(request: HttpRequest, class_id: IdParam, payload: QuotaSetIn) -> dict[str, Any]:
    """Give `org` (below the organiser) `places` places, or change its number (organiser only)."""
    training_class = _class(request, class_id)
    services.require_organiser(request.user, training_class)
    org = org_field(request.user, "org", payload.org)
    quota = services.quota_set(
        actor=request.user, training_class=training_class, org=org, places=payload.places
    )
    return quota_out(quota)


@router.put("/classes/{int:class_id}/quotas/{int:quota_id}", response=QuotaOut)
def change_quota(
    request: HttpRequest, class_id: IdParam, quota_id: IdParam, payload: PlacesIn
) -> dict[str, Any]:
    training_class = _class(request, class_id)
    quota = selectors.quota_of_class_or_404(training_class, quota_id)
    quota = services.quota_set(
        actor=request.user, training_class=training_class, org=quota.org, places=payload.places
    )
    return quota_out(quota)


@router.delete("/classes/{int:class_id}/quotas/{int:quota_id}", response={204: None})
def remove_quota(request: HttpRequest, class_id: IdParam, quota_id: IdParam) -> Status[None]:
    """Take a unit's places away; refused (422) while any were used."""
    training_class = _class(request, class_id)
    quota = selectors.quota_of_class_or_404(training_class, quota_id)
    services.quota_remove(actor=request.user, quota=quota)
    return Status(204, None)


# -- enrolments ----------------------------------------------------------------------------------


@router.get("/classes/{int:class_id}/enrolments", response=list[EnrolmentOut])
@paginate(Paged)
def list_enrolments(
    request: HttpRequest, class_id: IdParam, state: str = "", q: str = ""
) -> QuerySet[Enrolment]:
    """The class's enrolments the actor reads, by branch and name; `state` is one state or
    "history" (returned, withdrawn and replaced)."""
    if state and state not in ROSTER_STATES:
        raise query_error(
            "state",
            _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(ROSTER_STATES)},
        )
    training_class = _class(request, class_id)
    _require_roster_reader(request.user, training_class)
    return selectors.roster_enrolments(request.user, training_class, state=state, q=q)


@router.post("/classes/{int:class_id}/nominations", response={201: DispatchOut})
def nominate(
    request: HttpRequest, class_id: IdParam, payload: NominationIn
) -> Status[dict[str, Any]]:
    """A unit nominates members of its subtree within its places: all of them, or none. The
    answer carries warnings (repeat training on the topic this year, exempt members)."""
    training_class = _class(request, class_id)
    quota = selectors.quota_of_class(training_class, payload.quota_id)
    if quota is None:
        raise ValidationError({"quota_id": _("No such places in this class.")})
    if not can_manage_org(request.user, quota.org):
        raise PermissionDenied(_("Only the unit given these places may nominate for them."))
    members = members_in_scope(request.user, payload.member_ids)
    try:
        result = services.enrolment_nominate(
            actor=request.user, training_class=training_class, quota=quota, members=members
        )
    except ValidationError as error:
        raise _renamed(error, {"members": "member_ids"}) from None
    return Status(201, dispatch_out(result))


@router.post("/classes/{int:class_id}/named", response={201: DispatchOut})
def name(request: HttpRequest, class_id: IdParam, payload: NamedIn) -> Status[dict[str, Any]]:
    """点名调训: the organiser enrols members of its subtree at once; a member outside the
    audience is allowed and comes back as a warning."""
    training_class = _class(request, class_id)
    services.require_organiser(request.user, training_class)
    members = members_in_scope(request.user, payload.member_ids)
    try:
        result = services.enrolment_name(
            actor=request.user, training_class=training_class, members=members
        )
    except ValidationError as error:
        raise _renamed(error, {"members": "member_ids"}) from None
    return Status(201, dispatch_out(result))


@router.get("/classes/{int:class_id}/nomination-candidates", response=CandidatesOut)
def nomination_candidates(
    request: HttpRequest,
    class_id: IdParam,
    quota_id: IdParam,
    q: str = "",
    limit: CountParam = 50,
    offset: CountParam = 0,
) -> dict[str, Any]:
    """Members a unit may nominate for its places (its subtree, searched by name or mobile), each
    with the audience check, warnings and any place already held; and, first, up to `limit`
    members in the audience with no concentrated training yet this year."""
    training_class = _class(request, class_id)
    quota = selectors.quota_of_class_or_404(training_class, quota_id)
    if not can_manage_org(request.user, quota.org):
        raise PermissionDenied(_("Only the unit given these places may nominate for them."))
    if offset < 0:
        raise query_error("offset", _("Cannot be negative."))
    limit = max(0, min(limit, MAX_PAGE))
    pool = selectors.nomination_pool(request.user, quota.org, q)
    page = list(pool[offset : offset + limit])
    untrained_qs = selectors.untrained_candidates(training_class, quota.org)
    untrained = list(untrained_qs.select_related("org")[:limit])
    quota.taken = services.quota_taken(quota)  # type: ignore[attr-defined]
    return {
        "quota": quota_out(quota),
        "count": pool.count(),
        "candidates": [_candidate_out(c) for c in candidates_for(training_class, page)],
        "without_training_count": untrained_qs.count(),
        "without_training": [
            _candidate_out(c)
            for c in candidates_for(
                training_class, untrained, untrained_ids={m.pk for m in untrained}
            )
        ],
    }


# -- decisions on one enrolment ------------------------------------------------------------------


@router.post("/enrolments/{int:enrolment_id}/accept", response=EnrolmentOut)
def accept(request: HttpRequest, enrolment_id: IdParam) -> Enrolment:
    enrolment = services.enrolment_accept(
        actor=request.user, enrolment=_enrolment(request, enrolment_id)
    )
    return _fresh([enrolment.pk])[0]


@router.post("/enrolments/{int:enrolment_id}/return", response=EnrolmentOut)
def return_(request: HttpRequest, enrolment_id: IdParam, payload: ReasonIn) -> Enrolment:
    """Return a nomination to its unit; `reason` is required."""
    enrolment = services.enrolment_return(
        actor=request.user, enrolment=_enrolment(request, enrolment_id), reason=payload.reason
    )
    return _fresh([enrolment.pk])[0]


@router.post("/enrolments/{int:enrolment_id}/resubmit", response=EnrolmentOut)
def resubmit(request: HttpRequest, enrolment_id: IdParam) -> Enrolment:
    enrolment = services.enrolment_resubmit(
        actor=request.user, enrolment=_enrolment(request, enrolment_id)
    )
    return _fresh([enrolment.pk])[0]


@router.post("/enrolments/{int:enrolment_id}/withdraw", response=EnrolmentOut)
def withdraw(request: HttpRequest, enrolment_id: IdParam, payload: ReasonIn) -> Enrolment:
    """退训 with a reason, by the organiser or the nominating unit."""
    enrolment = services.enrolment_withdraw(
        actor=request.user, enrolment=_enrolment(request, enrolment_id), reason=payload.reason
    )
    return _fresh([enrolment.pk])[0]


@router.post("/enrolments/{int:enrolment_id}/substitute", response={201: DispatchOut})
def substitute(
    request: HttpRequest, enrolment_id: IdParam, payload: SubstituteIn
) -> Status[dict[str, Any]]:
    """替换: `member_id` takes the accepted member's place (organiser only; reason required)."""
    enrolment = _enrolment(request, enrolment_id)
    services.require_organiser(request.user, enrolment.training_class)
    member = members_in_scope(request.user, [payload.member_id], field="member_id")[0]
    try:
        result = services.enrolment_substitute(
            actor=request.user, enrolment=enrolment, member=member, reason=payload.reason
        )
    except ValidationError as error:
        raise _renamed(error, {"member": "member_id", "members": "member_id"}) from None
    return Status(201, dispatch_out(result))
