"""/api/v1/plans/: annual training plans, their items and versions, filing, decisions,
reminders, plan versus actual and the filing document. Reads through `plans.selectors`, writes
through `plans.services`.

Statuses as elsewhere in API v1: anonymous 401; a plan or org out of scope 404; a visible plan
the actor may not change (a viewer; the plan's own org deciding on it) 403; bad values 422 with
the field named. Hours and money are decimals sent as strings.
"""

import datetime as dt
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import Count, Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.core.downloads import download
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field

from . import selectors, services
from .documents import plan_document_name
from .models import PlanItem, PlanVersion, TrainingPlan
from .services import exports

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    org: OrgRef
    year: int
    title: str
    summary: str
    state: str
    state_label: str
    version: int
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    return_reason: str

    @staticmethod
    def resolve_state_label(obj: TrainingPlan) -> str:
        return str(obj.get_state_display())


class PlanIn(Schema):
    org: Id
    year: Year
    title: str
    summary: str = ""


class PlanPatch(Schema):
    title: str | None = None
    summary: str | None = None


class PlanItemOut(Schema):
    id: int
    position: int
    content: str
    audience: str
    standard: str
    responsible_org: OrgRef
    deadline: dt.date
    planned_classes: int
    planned_meetings: int
    planned_hours: Decimal
    planned_people: int
    budget: Decimal
    done_at: dt.datetime | None


class ItemIn(Schema):
    content: str
    audience: str = ""
    standard: str = ""
    responsible_org: Id
    deadline: dt.date
    planned_classes: Count = 0
    planned_meetings: Count = 0
    planned_hours: Decimal = Decimal(0)
    planned_people: Count = 0
    budget: Decimal = Decimal(0)


class ItemPatch(Schema):
    content: str | None = None
    audience: str | None = None
    standard: str | None = None
    responsible_org: Id | None = None
    deadline: dt.date | None = None
    planned_classes: Count | None = None
    planned_meetings: Count | None = None
    planned_hours: Decimal | None = None
    planned_people: Count | None = None
    budget: Decimal | None = None


class VersionOut(Schema):
    number: int
    submitted_at: dt.datetime
    decision: str
    decided_at: dt.datetime | None
    reason: str
    snapshot: dict[str, Any]


class DoneIn(Schema):
    done: bool = True


class PlanAttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: dt.datetime


class PlanReasonIn(Schema):
    reason: str


class RemindIn(Schema):
    org: Id
    year: Year


class PlanRemindOut(Schema):
    reminded: int


class FilingOut(Schema):
    org: OrgRef
    state: str
    plan_id: int | None
    version: int | None
    submitted_at: dt.datetime | None


class FilingsOut(Schema):
    org: OrgRef
    year: int
    counts: dict[str, int]
    rows: list[FilingOut]


class ProgressOut(Schema):
    item_id: int
    content: str
    deadline: dt.date
    classes: int
    meetings: int
    hours: Decimal
    people: int
    percent: int
    overdue: bool
    marked_done: bool


class ProgressReport(Schema):
    items: list[ProgressOut]
    totals: dict[str, Any]


def _item(plan: TrainingPlan, item_id: int) -> PlanItem:
    return selectors.item_of_plan_or_404(plan, item_id)


@router.get("/", response=list[PlanOut])
@paginate(Paged)
def list_plans(
    request: HttpRequest, year: YearParam | None = None, org: IdParam | None = None
) -> Any:
    """Plans in the actor's scope, optionally of one year or one org."""
    return selectors.plan_list(request.user, year=year, org_id=org)


@router.post("/", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[Any]:
    org = org_field(request.user, "org", payload.org)
    plan = services.plan_create(
        actor=request.user, org=org, year=payload.year, title=payload.title, summary=payload.summary
    )
    return Status(201, plan)


@router.get("/filings", response=FilingsOut)
def filings(request: HttpRequest, org: IdParam, year: YearParam | None = None) -> dict[str, Any]:
    """The filing state of each open child org of `org` for the year."""
    parent = get_visible_or_404(request.user, Organization, org)
    overview = selectors.filing_overview(parent, year or timezone.localdate().year)
    return {
        "org": parent,
        "year": overview.year,
        "counts": overview.counts,
        "rows": [
            {
                "org": row.org,
                "state": row.state,
                "plan_id": row.plan.pk if row.plan else None,
                "version": row.plan.version if row.plan else None,
                "submitted_at": row.plan.submitted_at if row.plan else None,
            }
            for row in overview.rows
        ],
    }


@router.post("/remind", response=PlanRemindOut)
def remind(request: HttpRequest, payload: RemindIn) -> dict[str, int]:
    """Remind the child orgs of `org` that have not filed their plan for `year`."""
    parent = get_visible_or_404(request.user, Organization, payload.org)
    return {
        "reminded": services.plan_remind(actor=request.user, parent_org=parent, year=payload.year)
    }


@router.get("/{int:plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: IdParam) -> TrainingPlan:
    return selectors.plan_get(request.user, plan_id)


@router.patch("/{int:plan_id}", response=PlanOut)
def update_plan(request: HttpRequest, plan_id: IdParam, payload: PlanPatch) -> TrainingPlan:
    plan = selectors.plan_get(request.user, plan_id)
    return services.plan_update(
        actor=request.user, plan=plan, title=payload.title, summary=payload.summary
    )


@router.get("/{int:plan_id}/items", response=list[PlanItemOut])
def list_items(request: HttpRequest, plan_id: IdParam) -> Any:
    plan = selectors.plan_get(request.user, plan_id)
    return selectors.plan_items(plan)


def _item_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("responsible_org") is not None:
        data["responsible_org"] = org_field(
            request.user, "responsible_org", data["responsible_org"]
        )
    return data


@router.post("/{int:plan_id}/items", response={201: PlanItemOut})
def add_item(request: HttpRequest, plan_id: IdParam, payload: ItemIn) -> Status[Any]:
    plan = selectors.plan_get(request.user, plan_id)
    fields = _item_fields(request, payload.dict())
    return Status(201, services.item_add(actor=request.user, plan=plan, **fields))


@router.get("/{int:plan_id}/items/{int:item_id}", response=PlanItemOut)
def get_item(request: HttpRequest, plan_id: IdParam, item_id: IdParam) -> PlanItem:
    plan = selectors.plan_get(request.user, plan_id)
    return _item(plan, item_id)


@router.post("/{int:plan_id}/items/{int:item_id}/done", response=PlanItemOut)
def mark_done(
    request: HttpRequest, plan_id: IdParam, item_id: IdParam, payload: DoneIn
) -> PlanItem:
    """Mark an item done (`done: false` takes the mark back); allowed in any state."""
    plan = selectors.plan_get(request.user, plan_id)
    item = _item(plan, item_id)
    return services.item_mark_done(actor=request.user, item=item, done=payload.done)


@router.patch("/{int:plan_id}/items/{int:item_id}", response=PlanItemOut)
def update_item(
    request: HttpRequest, plan_id: IdParam, item_id: IdParam, payload: ItemPatch
) -> PlanItem:
    plan = selectors.plan_get(request.user, plan_id)
    item = _item(plan, item_id)
    fields = _item_fields(request, payload.dict(exclude_none=True))
    return services.item_update(actor=request.user, item=item, **fields)


@router.delete("/{int:plan_id}/items/{int:item_id}", response={204: None})
def remove_item(request: HttpRequest, plan_id: IdParam, item_id: IdParam) -> Status[Any]:
    plan = selectors.plan_get(request.user, plan_id)
    services.item_remove(actor=request.user, item=_item(plan, item_id))
    return Status(204, None)


@router.post("/{int:plan_id}/submit", response=PlanOut)
def submit(request: HttpRequest, plan_id: IdParam) -> TrainingPlan:
    plan = selectors.plan_get(request.user, plan_id)
    return services.plan_submit(actor=request.user, plan=plan)


@router.post("/{int:plan_id}/approve", response=PlanOut)
def approve(request: HttpRequest, plan_id: IdParam) -> TrainingPlan:
    plan = selectors.plan_get(request.user, plan_id)
    return services.plan_approve(actor=request.user, plan=plan)


@router.post("/{int:plan_id}/return", response=PlanOut)
def return_plan(request: HttpRequest, plan_id: IdParam, payload: PlanReasonIn) -> TrainingPlan:
    plan = selectors.plan_get(request.user, plan_id)
    return services.plan_return(actor=request.user, plan=plan, reason=payload.reason)


@router.get("/{int:plan_id}/versions", response=list[VersionOut])
def versions(request: HttpRequest, plan_id: IdParam) -> Any:
    plan = selectors.plan_get(request.user, plan_id)
    return selectors.plan_versions(plan)


@router.get("/{int:plan_id}/versions/{int:number}", response=VersionOut)
def version(request: HttpRequest, plan_id: IdParam, number: IdParam) -> PlanVersion:
    plan = selectors.plan_get(request.user, plan_id)
    return selectors.version_of_plan_or_404(plan, number)


@router.get("/{int:plan_id}/attachments", response=list[PlanAttachmentOut])
def attachments(request: HttpRequest, plan_id: IdParam) -> Any:
    plan = selectors.plan_get(request.user, plan_id)
    return selectors.plan_attachments(plan)


@router.post("/{int:plan_id}/attachments", response={201: PlanAttachmentOut})
def attach(
    request: HttpRequest,
    plan_id: IdParam,
    file: UploadedFile = File(...),  # type: ignore[assignment,type-arg]  # noqa: B008
) -> Status[Any]:
    """Attach a file (multipart `file`: PDF, Word, WPS or Excel, at most 20 MB)."""
    plan = selectors.plan_get(request.user, plan_id)
    return Status(201, services.attachment_add(actor=request.user, plan=plan, file=file))


@router.get("/{int:plan_id}/attachments/{int:attachment_id}")
def attachment_file(request: HttpRequest, plan_id: IdParam, attachment_id: IdParam) -> HttpResponse:
    plan = selectors.plan_get(request.user, plan_id)
    attachment = selectors.attachment_of_plan_or_404(plan, attachment_id)
    suffix = PurePath(attachment.name).suffix
    return download(
        attachment.file.read(),
        attachment.name,
        fallback=f"plan-{plan.pk}-attachment-{attachment.pk}{suffix}",
    )


@router.delete("/{int:plan_id}/attachments/{int:attachment_id}", response={204: None})
def detach(request: HttpRequest, plan_id: IdParam, attachment_id: IdParam) -> Status[Any]:
    """Remove an attachment; only while the plan is a draft or returned."""
    plan = selectors.plan_get(request.user, plan_id)
    attachment = selectors.attachment_of_plan_or_404(plan, attachment_id)
    services.attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)


@router.get("/{int:plan_id}/progress", response=ProgressReport)
def progress(request: HttpRequest, plan_id: IdParam) -> dict[str, Any]:
    plan = selectors.plan_get(request.user, plan_id)
    rows = selectors.item_progress(plan)
    return {
        "items": [
            {
                "item_id": r.item.pk,
                "content": r.item.content,
                "deadline": r.item.deadline,
                "classes": r.classes,
                "meetings": r.meetings,
                "hours": r.hours,
                "people": r.people,
                "percent": r.percent,
                "overdue": r.overdue,
                "marked_done": r.item.done_at is not None,
            }
            for r in rows
        ],
        "totals": {
            k: str(v) if isinstance(v, Decimal) else v
            for k, v in selectors.progress_totals(rows).items()
        },
    }


@router.get("/{int:plan_id}/document")
def document(
    request: HttpRequest, plan_id: IdParam, format: Literal["docx", "pdf"] = "docx"
) -> HttpResponse:
    """The plan filing document (报备文件) as .docx (the default) or PDF (`format=pdf`); any
    other format is a 422."""
    plan = selectors.plan_get(request.user, plan_id)
    content = exports.plan_document_export(actor=request.user, plan=plan, fmt=format)
    name, fallback = plan_document_name(plan, format)
    return download(content, name, fallback=fallback)
