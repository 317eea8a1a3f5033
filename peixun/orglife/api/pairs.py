"""API v1 for the support pairs (在职党员联系帮扶离退休党员) under /api/v1/orglife/pairs: the
pairs with their last visit and this year's visits, pairing, ending, and a pair's visits (送学上门
visits of the retired member, credited as those are). Statuses as in meetings.py."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization

from ..models import HomeVisit, Pair
from ..selectors import pairs as queries
from ..services import pairs as services
from .groups import member_field

router = Router()


class PairOut(Schema):
    id: int
    org: OrgRef
    helper: int
    helper_name: str
    retired: int
    retired_name: str
    since: dt.date
    until: dt.date | None
    note: str
    last_visit: dt.date | None
    visits_this_year: int

    @staticmethod
    def resolve_helper(obj: Pair) -> int:
        return obj.helper_id

    @staticmethod
    def resolve_helper_name(obj: Pair) -> str:
        return obj.helper.name

    @staticmethod
    def resolve_retired(obj: Pair) -> int:
        return obj.retired_id

    @staticmethod
    def resolve_retired_name(obj: Pair) -> str:
        return obj.retired.name


class PairIn(Schema):
    helper: Id
    retired: Id
    since: dt.date | None = None
    note: str = ""


class PairEndIn(Schema):
    until: dt.date | None = None


class PairVisitOut(Schema):
    id: int
    visited_on: dt.date
    visitors: str
    content: str
    hours: Decimal
    note: str
    credited: bool

    @staticmethod
    def resolve_credited(obj: HomeVisit) -> bool:
        return bool(obj.credit_reference)


class PairVisitIn(Schema):
    visited_on: dt.date
    content: str
    hours: Decimal = Decimal(0)
    note: str = ""


def _out(actor: Any, pk: int) -> Pair:
    return queries.pair_list(actor, current=None).get(pk=pk)


@router.get("/pairs", response=list[PairOut])
@paginate(Paged)
def list_pairs(
    request: HttpRequest, org: IdParam | None = None, q: str = "", ended: bool = False
) -> Any:
    """Standing pairs (or, with `ended=true`, those ended) the actor may see."""
    organisation = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return queries.pair_list(request.user, org=organisation, q=q[:100], current=not ended)


@router.post("/pairs", response={201: PairOut})
def create_pair(request: HttpRequest, payload: PairIn) -> Status[Pair]:
    actor = request.user
    pair = services.pair_create(
        actor=actor,
        helper=member_field(actor, "helper", payload.helper),
        retired=member_field(actor, "retired", payload.retired),
        since=payload.since,
        note=payload.note,
    )
    return Status(201, _out(actor, pair.pk))


@router.get("/pairs/{int:pair_id}", response=PairOut)
def get_pair(request: HttpRequest, pair_id: IdParam) -> Pair:
    pair = queries.pair_get(request.user, pair_id)
    return _out(request.user, pair.pk)


@router.post("/pairs/{int:pair_id}/end", response=PairOut)
def end_pair(request: HttpRequest, pair_id: IdParam, payload: PairEndIn) -> Pair:
    pair = queries.pair_get(request.user, pair_id)
    services.pair_end(actor=request.user, pair=pair, until=payload.until)
    return _out(request.user, pair.pk)


@router.get("/pairs/{int:pair_id}/visits", response=list[PairVisitOut])
def list_pair_visits(request: HttpRequest, pair_id: IdParam) -> Any:
    pair = queries.pair_get(request.user, pair_id)
    return list(queries.pair_visits(pair))


@router.post("/pairs/{int:pair_id}/visits", response={201: PairVisitOut})
def record_pair_visit(
    request: HttpRequest, pair_id: IdParam, payload: PairVisitIn
) -> Status[HomeVisit]:
    """The helper's visit; with hours, the retired member is credited at once."""
    pair = queries.pair_get(request.user, pair_id)
    visit = services.pair_visit_record(actor=request.user, pair=pair, **payload.dict())
    return Status(201, visit)
