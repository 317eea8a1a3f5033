"""GET /api/v1/reports/dashboard: every tile of the 数据驾驶舱 with its figures, the same figures
per child org, and the URL of the rows behind each number. The same scoping as the page: a plain
member 404, an org out of scope 404, anonymous 401; a year outside 2000..next year or an as-of
date outside the year 422. Decimals are strings ("87.5") so that nothing is rounded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from peixun.core.apiutils import ErrorOut, IdParam, YearParam, query_error

from ..selectors.dashboard import Figure, Tile, as_of_for
from ..services import dashboard_read

router = Router(tags=["reports"])

FIRST_YEAR = 2000


class DashboardFigureOut(Schema):
    key: str
    label: str
    value: int | Decimal | None
    kind: str
    url: str


class DashboardChildOut(Schema):
    org_id: int
    org_name: str
    url: str
    figures: list[DashboardFigureOut]


class DashboardTileOut(Schema):
    key: str
    title: str
    note: str
    url: str
    figures: list[DashboardFigureOut]
    children: list[DashboardChildOut]
    rows: list[dict[str, Any]]


class DashboardOrgOut(Schema):
    id: int
    name: str


class DashboardOut(Schema):
    org: DashboardOrgOut
    year: int
    as_of: dt.date
    computed_at: dt.datetime | None  # when the tiles were computed (a kept snapshot's time)
    trail: list[DashboardOrgOut]
    tiles: list[DashboardTileOut]


def _figure(f: Figure) -> dict[str, Any]:
    return {"key": f.key, "label": f.label, "value": f.value, "kind": f.kind, "url": f.url}


def _tile(t: Tile) -> dict[str, Any]:
    return {
        "key": t.key,
        "title": t.title,
        "note": t.note,
        "url": t.url,
        "figures": [_figure(f) for f in t.figures],
        "children": [
            {
                "org_id": c.org_id,
                "org_name": c.org_name,
                "url": c.url,
                "figures": [_figure(f) for f in c.figures],
            }
            for c in t.children
        ],
        "rows": t.rows,
    }


@router.get(
    "/dashboard",
    response={200: DashboardOut, 404: ErrorOut, 422: ErrorOut},
    summary="The dashboard of an org",
)
def dashboard_get(
    request: HttpRequest,
    org: IdParam | None = None,
    year: YearParam | None = None,
    as_of: dt.date | None = None,
    fresh: bool = False,
) -> dict[str, Any]:
    """Every tile's figures for `org` (default: the first org of your scope) in `year` (default:
    this year) as of `as_of` (default: today in this year, the year's end for a past year), with
    each child org's figures and the drill-down URL of each number."""
    this_year = timezone.localdate().year
    chosen = year or (as_of.year if as_of else this_year)
    if not FIRST_YEAR <= chosen <= this_year + 1:
        raise query_error(
            "year",
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": this_year + 1},
        )
    if as_of is not None and as_of.year != chosen:
        raise query_error("as_of", _("The date is not in the year %(year)s.") % {"year": chosen})
    result = dashboard_read(
        actor=request.user, org=org, year=chosen, as_of=as_of_for(chosen, as_of), fresh=fresh
    )
    return {
        "org": {"id": result.org.pk, "name": result.org.name},
        "year": result.year,
        "as_of": result.as_of,
        "computed_at": result.computed_at,
        "trail": [{"id": o.pk, "name": o.name} for o in result.trail],
        "tiles": [_tile(t) for t in result.tiles],
    }
