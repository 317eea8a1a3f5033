"""/api/v1/learning/imports/: external records import — sources with their column mapping,
batches (upload → dry run in the worker → progress and report → apply), and the review queue.

Statuses as elsewhere in API v1: anonymous 401; a plain member or viewer, or a source or batch
outside what the actor manages, 404; bad values 422 with the field named.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged
from peixun.orgs.selectors import org_field

from ..models.imports import ExternalSource, ImportBatch, ImportLine
from ..selectors import imports as selectors
from ..services import imports as services

router = Router(tags=["learning"])


class SourceOut(Schema):
    id: int
    org: OrgRef
    name: str
    platform: str
    mapping: dict[str, str]


class SourceIn(Schema):
    org: Id
    name: str
    platform: str = ExternalSource.Platform.OTHER
    mapping: dict[str, str] = {}


class BatchOut(Schema):
    id: int
    source: int
    period: str
    filename: str
    status: str
    error: str
    progress: int
    rows_read: int
    people: int
    matched: int
    review: int
    problem_rows: int
    new: int
    changed: int
    unchanged: int
    problems: list[dict[str, Any]]
    created_at: dt.datetime
    applied_at: dt.datetime | None

    @staticmethod
    def resolve_source(obj: ImportBatch) -> int:
        return obj.source_id


class LineOut(Schema):
    id: int
    row: int
    rows: int
    name: str
    id_masked: str
    mobile: str
    unit: str
    hours: Decimal
    points: Decimal | None
    member: int | None
    match: str
    state: str
    outcome: str
    candidates: list[int]
    problem: str

    @staticmethod
    def resolve_member(obj: ImportLine) -> int | None:
        return obj.member_id


class PickIn(Schema):
    member: Id | None = None  # None leaves the line out of this import


def _importer(request: HttpRequest) -> None:
    selectors.require_importer(request.user)


@router.get("/imports/sources", response=list[SourceOut])
def list_sources(request: HttpRequest) -> Any:
    _importer(request)
    return selectors.source_list(request.user)


@router.post("/imports/sources", response={201: SourceOut})
def create_source(request: HttpRequest, payload: SourceIn) -> Status[Any]:
    _importer(request)
    org = org_field(request.user, "org", payload.org)
    mapping = payload.mapping or services.default_mapping()
    source = services.source_create(
        actor=request.user, org=org, name=payload.name, platform=payload.platform, mapping=mapping
    )
    return Status(201, source)


@router.get("/imports/batches", response=list[BatchOut])
@paginate(Paged)
def list_batches(request: HttpRequest) -> Any:
    _importer(request)
    return selectors.batch_list(request.user)


@router.post("/imports/batches", response={201: BatchOut})
def upload_batch(
    request: HttpRequest, source: Form[IdParam], period: Form[str], file: File[UploadedFile]
) -> Status[Any]:
    """Upload an export; its dry run is queued for the worker. Follow it with GET …/{id}."""
    _importer(request)
    owner = selectors.source_get(request.user, source)
    batch = services.import_upload(actor=request.user, source=owner, period=period, upload=file)
    return Status(201, selectors.batch_get(request.user, batch.pk))


@router.get("/imports/batches/{int:batch_id}", response=BatchOut)
def get_batch(request: HttpRequest, batch_id: IdParam) -> Any:
    """The batch with its progress (0–100) and, once checked, the dry run's counts."""
    _importer(request)
    return selectors.batch_get(request.user, batch_id)


@router.get("/imports/batches/{int:batch_id}/lines", response=list[LineOut])
@paginate(Paged)
def list_lines(request: HttpRequest, batch_id: IdParam, state: str = "") -> Any:
    """The dry run's report, one line a person; `state=review` is the review queue."""
    _importer(request)
    batch = selectors.batch_get(request.user, batch_id)
    return selectors.batch_lines(batch, state if state in ImportLine.State.values else "")


@router.post("/imports/batches/{int:batch_id}/apply", response={202: BatchOut})
def apply_batch(request: HttpRequest, batch_id: IdParam) -> Status[Any]:
    """Queue a checked batch (nothing left to review) for applying."""
    _importer(request)
    batch = selectors.batch_get(request.user, batch_id)
    services.import_apply_request(actor=request.user, batch=batch)
    return Status(202, selectors.batch_get(request.user, batch_id))


@router.post("/imports/lines/{int:line_id}/pick", response=LineOut)
def pick_line(request: HttpRequest, line_id: IdParam, payload: PickIn) -> Any:
    """A reviewer's answer for a line: the member it means, or null to leave it out."""
    _importer(request)
    line = selectors.line_get(request.user, line_id)
    member = None
    if payload.member is not None:
        member = selectors.pick_candidates(line.batch).filter(pk=payload.member).first()
        if member is None:
            raise ValidationError({"member": _("Pick a member of the source's organization.")})
    return services.import_line_pick(actor=request.user, line=line, member=member)
