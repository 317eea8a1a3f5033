"""/api/v1/reports/: the figures of a period and the report drafts (CRUD, .docx and PDF).

Statuses as elsewhere in API v1: anonymous 401; an org or draft out of scope (or a plain member
asking) 404; a visible draft the actor may not change (a viewer) 403; bad values 422 with the
field named (years reversed, before 2000, a range over 10 years). Hours and shares are decimals
sent as strings."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.core.downloads import download, file_name
from peixun.core.params import absolute_url
from peixun.orgs.selectors import org_field

from .. import services
from ..documents.report import report_docx, report_pdf
from ..models import PROSE_FIELDS, ReportDraft
from ..selectors import drafts as selectors
from ..selectors.figures import FigureValue, clean_period, report_figures, report_org

router = Router(tags=["reports"])


class FigurePartOut(Schema):
    label: str
    value: Decimal | int | None


class FigureOut(Schema):
    key: str
    label: str
    value: Decimal | int | None
    text: str
    unit: str
    unit_label: str
    definition: str
    section: str
    url: str
    parts: list[FigurePartOut]
    by_year: dict[str, Decimal | int | None]


class ReportFiguresOut(Schema):
    org: OrgRef
    first_year: int
    last_year: int
    as_of: dt.date | None
    end: dt.date
    figures: list[FigureOut]


def _figure(figure: FigureValue) -> dict[str, Any]:
    return {
        "key": figure.key,
        "label": figure.label,
        "value": figure.value,
        "text": figure.text,
        "unit": figure.unit,
        "unit_label": figure.unit_label,
        "definition": figure.definition,
        "section": figure.section,
        "url": figure.url,
        "parts": [{"label": label, "value": value} for label, value in figure.parts],
        "by_year": {str(year): value for year, value in figure.by_year.items()},
    }


@router.get("/figures", response=ReportFiguresOut)
def figures(
    request: HttpRequest,
    org: IdParam,
    first_year: YearParam,
    last_year: YearParam | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Every figure of the catalogue for the subtree of `org` and the years asked (at most 10,
    from 2000), entries dated after `as_of` left out: key, label, value, unit, definition and
    the URL of the page listing the rows behind it."""
    target = report_org(request.user, org)
    period = clean_period(first_year, last_year, as_of)
    values = report_figures(actor=request.user, org=target, period=period)
    return {
        "org": target,
        "first_year": period.first_year,
        "last_year": period.last_year,
        "as_of": period.as_of,
        "end": period.end,
        "figures": [_figure(f) for f in values.values()],
    }


class DraftOut(Schema):
    id: int
    org: OrgRef
    kind: str
    first_year: int
    last_year: int
    as_of: dt.date | None
    dated: dt.date | None
    title: str
    opening: str
    basics_before: str
    basics_after: str
    practice_before: str
    practice_after: str
    problems_before: str
    problems_after: str
    plans_before: str
    plans_after: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftIn(Schema):
    org: Id
    kind: str
    first_year: Year
    last_year: Year | None = None
    as_of: dt.date | None = None
    dated: dt.date | None = None
    title: str = ""


class DraftPatch(Schema):
    title: str | None = None
    first_year: Year | None = None
    last_year: Year | None = None
    as_of: dt.date | None = None
    dated: dt.date | None = None
    opening: str | None = None
    basics_before: str | None = None
    basics_after: str | None = None
    practice_before: str | None = None
    practice_after: str | None = None
    problems_before: str | None = None
    problems_after: str | None = None
    plans_before: str | None = None
    plans_after: str | None = None


class ReportSentenceOut(Schema):
    text: str
    figures: list[str]


class ReportSectionOut(Schema):
    key: str
    heading: str
    before: str
    sentences: list[ReportSentenceOut]
    after: str


class DraftReportOut(Schema):
    draft: DraftOut
    sections: list[ReportSectionOut]
    figures: list[FigureOut]


@router.get("/drafts", response=list[DraftOut])
@paginate(Paged)
def list_drafts(request: HttpRequest) -> Any:
    """The report drafts of the orgs the actor reads, latest changed first."""
    return selectors.draft_list(request.user)


@router.post("/drafts", response={201: DraftOut})
def create_draft(request: HttpRequest, payload: DraftIn) -> Status[Any]:
    """A draft for an org the actor manages, with default text to replace."""
    org = org_field(request.user, "org", payload.org)
    draft = services.draft_create(
        actor=request.user,
        org=org,
        kind=payload.kind,
        first_year=payload.first_year,
        last_year=payload.last_year,
        as_of=payload.as_of,
        dated=payload.dated,
        title=payload.title,
    )
    return Status(201, draft)


@router.get("/drafts/{int:draft_id}", response=DraftReportOut)
def get_draft(request: HttpRequest, draft_id: IdParam) -> dict[str, Any]:
    """The draft with its sections as shown: the user's text and the sentences computed now."""
    draft = selectors.draft_get(request.user, draft_id)
    report = selectors.draft_report(request.user, draft)
    return {
        "draft": draft,
        "sections": [
            {
                "key": s.key,
                "heading": s.heading,
                "before": s.before,
                "after": s.after,
                "sentences": [
                    {
                        "text": sentence.text,
                        "figures": [seg.figure.key for seg in sentence.segments if seg.figure],
                    }
                    for sentence in s.sentences
                ],
            }
            for s in report.sections
        ],
        "figures": [_figure(f) for f in report.figures.values()],
    }


@router.patch("/drafts/{int:draft_id}", response=DraftOut)
def update_draft(request: HttpRequest, draft_id: IdParam, payload: DraftPatch) -> ReportDraft:
    """Change the title, the years, the date of the report (成文日期; null: the day of export)
    or any section's text (the fields sent)."""
    draft = selectors.draft_get(request.user, draft_id)
    sent = payload.dict(exclude_unset=True)
    return services.draft_update(
        actor=request.user,
        draft=draft,
        title=sent.get("title"),
        first_year=sent.get("first_year"),
        last_year=sent.get("last_year"),
        as_of=sent.get("as_of", ...),
        dated=sent.get("dated", ...),
        prose={k: v for k, v in sent.items() if k in PROSE_FIELDS and v is not None},
    )


@router.delete("/drafts/{int:draft_id}", response={204: None})
def delete_draft(request: HttpRequest, draft_id: IdParam) -> Status[None]:
    draft = selectors.draft_get(request.user, draft_id)
    services.draft_delete(actor=request.user, draft=draft)
    return Status(204, None)


def _download(request: HttpRequest, draft_id: int, fmt: str) -> HttpResponse:
    draft = selectors.draft_get(request.user, draft_id)
    report = selectors.draft_report(request.user, draft)
    services.draft_export(actor=request.user, draft=draft, fmt=fmt)
    site = absolute_url(request, "/").rstrip("/")
    content = report_docx(report, site=site) if fmt == "docx" else report_pdf(report, site=site)
    # Named by its title (县直机关工委2026年度党员教育培训工作报告.docx); the old code as fallback.
    return download(
        content,
        file_name(draft.title or draft.org.name, ext=fmt),
        fallback=f"report-{draft.org.code}-{draft.first_year}-{draft.last_year}.{fmt}",
    )


@router.get("/drafts/{int:draft_id}/report.docx")
def draft_docx(request: HttpRequest, draft_id: IdParam) -> HttpResponse:
    """The report as .docx, with the figures computed now."""
    return _download(request, draft_id, "docx")


@router.get("/drafts/{int:draft_id}/report.pdf")
def draft_pdf(request: HttpRequest, draft_id: IdParam) -> HttpResponse:
    """The report as PDF, with the figures computed now."""
    return _download(request, draft_id, "pdf")


class ClosingIn(Schema):
    org: Id
    year: Year


class ClosingOut(Schema):
    id: int
    org: OrgRef
    year: int
    closed_at: dt.datetime
    figures: dict[str, str | None]


@router.get("/closings", response=list[ClosingOut])
@paginate(Paged)
def list_closings(request: HttpRequest, org: IdParam | None = None) -> Any:
    """The closed years (年度结账) of the orgs the actor reads, with the figures frozen then."""
    return selectors.closing_list(request.user, org_id=org)


@router.post("/closings", response={201: ClosingOut})
def close_year(request: HttpRequest, payload: ClosingIn) -> Status[Any]:
    """Close a year that has ended for an org the actor is org admin of: its figures are frozen."""
    org = org_field(request.user, "org", payload.org)
    closing = services.year_close(actor=request.user, org=org, year=payload.year)
    return Status(201, closing)
