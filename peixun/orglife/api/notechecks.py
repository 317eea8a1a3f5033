"""API v1 for the 学习笔记抽查 under /api/v1/orglife/note-checks: the rounds, opening one (its
sample drawn at once), a round's checks and summary per branch, and recording a check with a
photo (multipart). Statuses as in meetings.py."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.orgs.selectors import org_field

from ..models import NoteCheck, NoteCheckRound
from ..selectors import notechecks as queries
from ..services import notechecks as services

router = Router()

SampleCount = Annotated[StrictInt, Field(ge=1, le=1000)]
SamplePercent = Annotated[StrictInt, Field(ge=1, le=100)]


class NoteRoundOut(Schema):
    id: int
    org: OrgRef
    year: int
    title: str
    sample_count: int | None
    sample_percent: int | None
    seed: str
    sampled: int
    checked: int


class NoteRoundIn(Schema):
    org: Id
    year: Year
    title: str
    sample_count: SampleCount | None = None
    sample_percent: SamplePercent | None = None
    seed: str = ""


class NoteCheckOut(Schema):
    id: int
    member: int
    member_name: str
    branch: OrgRef
    checked_on: dt.date | None
    checker: str
    result: str
    note: str
    has_photo: bool

    @staticmethod
    def resolve_member(obj: NoteCheck) -> int:
        return obj.member_id

    @staticmethod
    def resolve_member_name(obj: NoteCheck) -> str:
        return obj.member.name

    @staticmethod
    def resolve_has_photo(obj: NoteCheck) -> bool:
        return bool(obj.photo)


class NoteCheckIn(Schema):
    checked_on: dt.date
    checker: str
    result: str
    note: str = ""


class NoteSummaryOut(Schema):
    branch: OrgRef
    sampled: int
    checked: int
    results: dict[str, int]


def _out(actor: Any, pk: int) -> NoteCheckRound:
    return queries.note_round_list(actor).get(pk=pk)


@router.get("/note-checks", response=list[NoteRoundOut])
@paginate(Paged)
def list_rounds(request: HttpRequest, year: YearParam | None = None) -> Any:
    return queries.note_round_list(request.user, year=year)


@router.post("/note-checks", response={201: NoteRoundOut})
def create_round(request: HttpRequest, payload: NoteRoundIn) -> Status[NoteCheckRound]:
    """Open a round of `org` and draw its sample: `sample_count` members of each branch, or
    `sample_percent` of each; `seed` empty for a random one (recorded)."""
    actor = request.user
    data = payload.dict()
    org = org_field(actor, "org", data.pop("org"))
    check_round = services.note_round_create(actor=actor, org=org, **data)
    return Status(201, _out(actor, check_round.pk))


@router.get("/note-checks/{int:round_id}", response=NoteRoundOut)
def get_round(request: HttpRequest, round_id: IdParam) -> NoteCheckRound:
    check_round = queries.note_round_get(request.user, round_id)
    return _out(request.user, check_round.pk)


@router.get("/note-checks/{int:round_id}/checks", response=list[NoteCheckOut])
def list_checks(request: HttpRequest, round_id: IdParam) -> Any:
    check_round = queries.note_round_get(request.user, round_id)
    return list(queries.note_checks(check_round))


@router.get("/note-checks/{int:round_id}/summary", response=list[NoteSummaryOut])
def round_summary(request: HttpRequest, round_id: IdParam) -> Any:
    """Per branch: sampled, checked, and the count of each result."""
    check_round = queries.note_round_get(request.user, round_id)
    return queries.note_round_summary(check_round)


@router.post("/note-checks/{int:round_id}/checks/{int:check_id}", response=NoteCheckOut)
def record_check(
    request: HttpRequest,
    round_id: IdParam,
    check_id: IdParam,
    payload: Form[NoteCheckIn],
    photo: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008
) -> NoteCheck:
    """Record (or correct) a check (multipart form). The first record needs `photo`, a JPEG,
    PNG or WebP picture up to 10 MB, checked by its content."""
    check_round = queries.note_round_get(request.user, round_id)
    check = queries.note_check_get(check_round, check_id)
    services.note_check_record(actor=request.user, check=check, photo=photo, **payload.dict())
    return queries.note_check_get(check_round, check.pk)


@router.get("/note-checks/{int:round_id}/export.xlsx", response={200: None})
def export_round(request: HttpRequest, round_id: IdParam) -> HttpResponse:
    """The round's 台账 (.xlsx), audited."""
    check_round = queries.note_round_get(request.user, round_id)
    data = services.note_round_export(actor=request.user, check_round=check_round)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="note-checks-{check_round.pk}.xlsx"'
    return response
