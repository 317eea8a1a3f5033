"""/api/v1/orglife/regularity/: a branch's calendar of required meetings and an upper org's
overview (share of branches regular per kind, the irregular ones, 旁听 coverage), and the
record books: a branch's (.docx or PDF), or all branches' of a unit (one .zip or one PDF)."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from peixun.core.apiutils import IdParam, YearParam, query_error
from peixun.core.downloads import download, file_name
from peixun.core.forms import error_text

from .. import selectors
from ..documents import record_book_name
from ..services.exports import record_book_export, record_books_export

router = Router()


class PeriodOut(Schema):
    label: str
    first: dt.date
    last: dt.date
    state: str
    held: int


class CalendarOut(Schema):
    org_id: int
    year: int
    regular: bool
    kinds: dict[str, list[PeriodOut]]


class IrregularOut(Schema):
    org_id: int
    name: str
    missed: list[str]


class ShareOut(Schema):
    kind: str
    regular: int
    total: int
    percent: int
    irregular: list[IrregularOut]


class OverviewOut(Schema):
    org_id: int
    year: int
    branches: int
    shares: list[ShareOut]
    central_meetings: int
    observed: int
    committees: int
    committees_observed: int


@router.get("/regularity/{int:org_id}", response=CalendarOut)
def branch_calendar(
    request: HttpRequest, org_id: IdParam, year: YearParam | None = None
) -> dict[str, Any]:
    org = selectors.regularity_org(request.user, org_id, branch=True)
    (calendar,) = selectors.branch_calendars([org], year or timezone.localdate().year)
    return {
        "org_id": org.pk,
        "year": calendar.year,
        "regular": calendar.regular,
        "kinds": {k: [p.__dict__ for p in periods] for k, periods in calendar.kinds.items()},
    }


@router.get("/regularity/{int:org_id}/overview", response=OverviewOut)
def overview(
    request: HttpRequest, org_id: IdParam, year: YearParam | None = None
) -> dict[str, Any]:
    org = selectors.regularity_org(request.user, org_id, branch=False)
    result = selectors.regularity_overview(org, year or timezone.localdate().year)
    return {
        "org_id": org.pk,
        "year": result.year,
        "branches": result.branches,
        "shares": [
            {
                "kind": s.kind,
                "regular": s.regular,
                "total": s.total,
                "percent": s.percent,
                "irregular": [
                    {"org_id": b.pk, "name": b.name, "missed": [p.label for p in missed]}
                    for b, missed in s.irregular
                ],
            }
            for s in result.shares
        ],
        "central_meetings": result.central_meetings,
        "observed": result.observed,
        "committees": result.committees,
        "committees_observed": result.committees_observed,
    }


@router.get("/record-book/{int:org_id}")
def record_book_file(
    request: HttpRequest,
    org_id: IdParam,
    year: YearParam | None = None,
    format: Literal["docx", "pdf"] = "docx",
) -> HttpResponse:
    """The org's yearly 三会一课记录本 as .docx (the default) or PDF (`format=pdf`)."""
    org = selectors.regularity_org(request.user, org_id, branch=True)
    chosen = year or timezone.localdate().year
    book = record_book_export(actor=request.user, org=org, year=chosen, fmt=format)
    name, fallback = record_book_name(org, chosen, format)
    return download(book, name, fallback=fallback)


@router.get("/record-books/{int:org_id}")
def record_books_file(
    request: HttpRequest,
    org_id: IdParam,
    year: YearParam | None = None,
    format: Literal["zip", "pdf"] = "zip",
) -> HttpResponse:
    """The record books of every open branch at or below the org: their .docx in one .zip
    (the default) or one PDF (`format=pdf`). No branch there: 422."""
    org = selectors.regularity_org(request.user, org_id, branch=False)
    chosen = year or timezone.localdate().year
    try:
        content, _count = record_books_export(actor=request.user, org=org, year=chosen, fmt=format)
    except ValidationError as error:
        raise query_error("org_id", error_text(error)) from None
    return download(
        content,
        file_name("三会一课记录本", org.name, f"{chosen}年", ext=format),
        fallback=f"record-books-{org.code}-{chosen}.{format}",
    )
