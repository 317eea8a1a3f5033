"""/api/v1/spending/: expenses (list with filters, record, read, correct, void), the totals by
fund of an org's subtree for a period, and plan versus actual. Reads through
`spending.selectors`, writes through `spending.services`.

Statuses as elsewhere in API v1: anonymous 401; a reader without any staff role (a plain
member) 404; an expense or org out of scope 404; a visible expense the actor may not change (a
viewer) 403; bad values 422 with the field named, nothing stored. Money is a decimal sent as a
string.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Ref, YearParam, query_error
from peixun.core.downloads import download
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization

from .. import selectors, services
from ..documents import attachment_fallback
from ..models import Expense, ExpenseAttachment, Fund

router = Router()


def _require_reader(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise Http404


class ExpenseOut(Schema):
    id: int
    org: OrgRef
    spent_on: dt.date
    amount: Decimal
    fund: str
    fund_label: str
    purpose: str
    payee: str
    training_class: Ref | None
    meeting: Ref | None
    plan_item: Ref | None
    decision_body: str
    decision_on: dt.date | None
    decision_ref: str
    decision_meeting: Ref | None
    voided: bool
    voided_at: dt.datetime | None
    void_reason: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_fund_label(obj: Expense) -> str:
        return str(obj.get_fund_display())

    @staticmethod
    def resolve_training_class(obj: Expense) -> dict[str, Any] | None:
        c = obj.training_class
        return {"id": c.pk, "name": c.title} if c is not None else None

    @staticmethod
    def resolve_meeting(obj: Expense) -> dict[str, Any] | None:
        m = obj.meeting
        return {"id": m.pk, "name": m.event.title} if m is not None else None

    @staticmethod
    def resolve_decision_meeting(obj: Expense) -> dict[str, Any] | None:
        m = obj.decision_meeting
        return {"id": m.pk, "name": m.event.title} if m is not None else None

    @staticmethod
    def resolve_plan_item(obj: Expense) -> dict[str, Any] | None:
        i = obj.plan_item
        return {"id": i.pk, "name": i.content} if i is not None else None

    @staticmethod
    def resolve_voided(obj: Expense) -> bool:
        return obj.voided_at is not None

    @staticmethod
    def resolve_recorded_at(obj: Expense) -> dt.datetime:
        return obj.created_at


class ExpenseIn(Schema):
    org: Id
    spent_on: dt.date
    amount: Decimal
    fund: str
    purpose: str
    payee: str = ""
    training_class: Id | None = None
    meeting: Id | None = None
    plan_item: Id | None = None
    decision_body: str = ""
    decision_on: dt.date | None = None
    decision_ref: str = ""
    decision_meeting: Id | None = None


class ExpensePatch(Schema):
    """The fields to change; a link given as null is removed."""

    org: Id | None = None
    spent_on: dt.date | None = None
    amount: Decimal | None = None
    fund: str | None = None
    purpose: str | None = None
    payee: str | None = None
    training_class: Id | None = None
    meeting: Id | None = None
    plan_item: Id | None = None
    decision_body: str | None = None
    decision_on: dt.date | None = None
    decision_ref: str | None = None
    decision_meeting: Id | None = None


class ExpenseAttachmentOut(Schema):
    id: int
    kind: str
    name: str
    uploaded_at: dt.datetime


class ExpenseVoidIn(Schema):
    reason: str


class SpendingTotalsOut(Schema):
    org: OrgRef
    start: dt.date
    end: dt.date
    total: Decimal
    count: int
    by_fund: dict[str, Decimal]


class OrgSpendingOut(Schema):
    org: OrgRef
    own: bool
    budget: Decimal
    spent: Decimal
    percent: int | None


class ItemSpendingOut(Schema):
    item: Ref
    plan_id: int
    org: OrgRef
    budget: Decimal
    spent: Decimal
    percent: int | None


class ClassCostOut(Schema):
    training_class: Ref
    spent: Decimal
    trainees: int
    hours: Decimal
    per_trainee: Decimal | None
    per_hour: Decimal | None


class SpendingPlanActualOut(Schema):
    org: OrgRef
    year: int
    budget: Decimal
    spent: Decimal
    percent: int | None
    orgs: list[OrgSpendingOut]
    items: list[ItemSpendingOut]
    classes: list[ClassCostOut]


@router.get("/", response=list[ExpenseOut])
@paginate(Paged)
def list_expenses(
    request: HttpRequest,
    year: YearParam | None = None,
    fund: str = "",
    org: IdParam | None = None,
    against: str = "",
    q: str = "",
    voided: bool = True,
) -> Any:
    """Expenses in the actor's scope, newest first: of one year, one fund, one org and the orgs
    below it, booked against a class / meeting / plan_item / none, matching `q` in the purpose,
    payee or decision reference; `voided=false` leaves voided ones out."""
    _require_reader(request)
    if fund and fund not in Fund.values:
        raise query_error("fund", f"one of {', '.join(Fund.values)}")
    if against and against not in selectors.AGAINST_CHOICES:
        raise query_error("against", f"one of {', '.join(selectors.AGAINST_CHOICES)}")
    scope_org = get_visible_or_404(request.user, Organization, org) if org else None
    filters = selectors.ExpenseFilter(
        year=year, fund=fund, org=scope_org, against=against, q=q.strip()[:60], voided=voided
    )
    return selectors.expense_list(request.user, filters).select_related("decision_meeting__event")


@router.post("/", response={201: ExpenseOut})
def record_expense(request: HttpRequest, payload: ExpenseIn) -> Status[Any]:
    expense = services.expense_record(actor=request.user, **payload.dict())
    return Status(201, selectors.expense_get(request.user, expense.pk))


def _period(
    year: int | None, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    if start is not None or end is not None:
        if start is None or end is None:
            raise query_error("start" if start is None else "end", "give both start and end")
        if end < start:
            raise query_error("end", "end comes before start")
        return start, end
    year = year or timezone.localdate().year
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _org(request: HttpRequest, org: int | None) -> Organization:
    _require_reader(request)
    if org is not None:
        return get_visible_or_404(request.user, Organization, org)
    found = selectors.first_reading_org(request.user)
    if found is None:
        raise Http404
    return found


@router.get("/totals", response=SpendingTotalsOut)
def totals(
    request: HttpRequest,
    org: IdParam | None = None,
    year: YearParam | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """What the org and the orgs below it spent in a year (or from `start` to `end`), by fund,
    voided expenses left out; the actor's first org when `org` is not given."""
    scope_org = _org(request, org)
    first, last = _period(year, start, end)
    result = selectors.spending_totals(actor=request.user, org=scope_org, start=first, end=last)
    return {
        "org": scope_org,
        "start": first,
        "end": last,
        "total": result.total,
        "count": result.count,
        "by_fund": result.by_fund,
    }


@router.get("/plan-actual", response=SpendingPlanActualOut)
def plan_actual(
    request: HttpRequest, org: IdParam | None = None, year: YearParam | None = None
) -> dict[str, Any]:
    """Budget against spending for the org (its own) and each child's subtree, for each plan
    item of the year's plans there, and the cost of the classes paid for in the year."""
    scope_org = _org(request, org)
    year = year or timezone.localdate().year
    orgs = selectors.org_spending(request.user, scope_org, year)
    return {
        "org": scope_org,
        "year": year,
        "budget": orgs.budget,
        "spent": orgs.spent,
        "percent": orgs.percent,
        "orgs": [
            {"org": r.org, "own": r.own, "budget": r.budget, "spent": r.spent, "percent": r.percent}
            for r in orgs.rows
        ],
        "items": [
            {
                "item": {"id": r.item.pk, "name": r.item.content},
                "plan_id": r.item.plan_id,
                "org": r.item.plan.org,
                "budget": r.budget,
                "spent": r.spent,
                "percent": r.percent,
            }
            for r in selectors.item_spending(request.user, scope_org, year)
        ],
        "classes": [
            {
                "training_class": {"id": c.training_class.pk, "name": c.training_class.title},
                "spent": c.spent,
                "trainees": c.trainees,
                "hours": c.hours,
                "per_trainee": c.per_trainee,
                "per_hour": c.per_hour,
            }
            for c in selectors.class_costs(request.user, scope_org, year)
        ],
    }


@router.get("/{int:expense_id}", response=ExpenseOut)
def get_expense(request: HttpRequest, expense_id: IdParam) -> Expense:
    return selectors.expense_get(request.user, expense_id)


@router.patch("/{int:expense_id}", response=ExpenseOut)
def update_expense(request: HttpRequest, expense_id: IdParam, payload: ExpensePatch) -> Expense:
    expense = selectors.expense_get(request.user, expense_id)
    services.expense_update(actor=request.user, expense=expense, **payload.dict(exclude_unset=True))
    return selectors.expense_get(request.user, expense_id)


@router.post("/{int:expense_id}/void", response=ExpenseOut)
def void_expense(request: HttpRequest, expense_id: IdParam, payload: ExpenseVoidIn) -> Expense:
    expense = selectors.expense_get(request.user, expense_id)
    services.expense_void(actor=request.user, expense=expense, reason=payload.reason)
    return selectors.expense_get(request.user, expense_id)


@router.get("/{int:expense_id}/attachments", response=list[ExpenseAttachmentOut])
def attachments(request: HttpRequest, expense_id: IdParam) -> Any:
    expense = selectors.expense_get(request.user, expense_id)
    return selectors.expense_attachments(expense)


@router.post("/{int:expense_id}/attachments", response={201: ExpenseAttachmentOut})
def attach(
    request: HttpRequest,
    expense_id: IdParam,
    kind: Form[str] = ExpenseAttachment.Kind.INVOICE,
    file: UploadedFile = File(...),  # type: ignore[type-arg]  # noqa: B008
) -> Status[Any]:
    """Attach a file (multipart `file`: PDF, Word, WPS, Excel or a photo, at most 20 MB;
    `kind`: invoice, decision or other) while the expense stands."""
    expense = selectors.expense_get(request.user, expense_id)
    attachment = services.expense_attachment_add(
        actor=request.user, expense=expense, file=file, kind=kind
    )
    return Status(201, attachment)


@router.get("/{int:expense_id}/attachments/{int:attachment_id}")
def attachment_file(
    request: HttpRequest, expense_id: IdParam, attachment_id: IdParam
) -> HttpResponse:
    expense = selectors.expense_get(request.user, expense_id)
    attachment = selectors.attachment_of_expense_or_404(expense, attachment_id)
    return download(
        attachment.file.read(), attachment.name, fallback=attachment_fallback(attachment)
    )


@router.delete("/{int:expense_id}/attachments/{int:attachment_id}", response={204: None})
def detach(request: HttpRequest, expense_id: IdParam, attachment_id: IdParam) -> Status[Any]:
    expense = selectors.expense_get(request.user, expense_id)
    attachment = selectors.attachment_of_expense_or_404(expense, attachment_id)
    services.expense_attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)
