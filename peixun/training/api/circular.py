"""API v1 for the 调训情况通报, over `selectors.circular` and `services.dispatch.circular_export`:

- GET /training/classes/{id}/circular             the table per unit and who did not come;
- GET /training/classes/{id}/circular/file        the 通报 as pdf, docx or xlsx (audited);
- GET /training/circular?org=&year=               the same for the classes of an org's year;
- GET /training/circular/file?org=&year=&format=  its file (audited).

`dated` (成文日期, default the class's closing date) and `addressee` (主送, default the units
given places) shape the document. Statuses: anonymous 401; a class or org out of scope 404; a
class the caller sees but whose organiser they do not read 403; a bad format, date or addressee
422 naming the field.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ValidationError as SchemaValidationError

from peixun.core.apiutils import IdParam, OrgRef, Ref, YearParam
from peixun.core.downloads import download

from ..selectors import Circular, UnitRow, class_circular, org_year_circular
from ..services.dispatch import circular_export, circular_file_name

router = Router(tags=["training"])


class UnitOut(Schema):
    org: OrgRef | None  # None for the row of totals
    places: int
    nominated: int
    named: int
    attended: int
    completed: int
    absent: int


class AbsenteeOut(Schema):
    member: Ref
    unit: OrgRef
    branch: str
    training_class: str
    route: str
    reason: str


class CircularOut(Schema):
    organiser: OrgRef
    year: int | None
    classes: list[Ref]
    units: list[UnitOut]
    total: UnitOut
    absentees: list[AbsenteeOut]
    default_dated: dt.date | None
    default_addressee: str


def unit_out(row: UnitRow) -> dict[str, Any]:
    return {
        "org": {"id": row.org_id, "name": row.name} if row.org_id else None,
        "places": row.places,
        "nominated": row.nominated,
        "named": row.named,
        "attended": row.attended,
        "completed": row.completed,
        "absent": row.absent,
    }


def circular_out(circular: Circular) -> dict[str, Any]:
    return {
        "organiser": {"id": circular.organiser.pk, "name": circular.organiser.name},
        "year": circular.year,
        "classes": [{"id": c.pk, "name": c.title} for c in circular.classes],
        "units": [unit_out(u) for u in circular.units],
        "total": unit_out(circular.total),
        "absentees": [
            {
                "member": {"id": a.member_id, "name": a.name},
                "unit": {"id": a.unit_id, "name": a.unit},
                "branch": a.branch,
                "training_class": a.class_title,
                "route": a.route,
                "reason": a.reason,
            }
            for a in circular.absentees
        ],
        "default_dated": circular.default_dated,
        "default_addressee": circular.default_addressee,
    }


def file_of(
    request: HttpRequest,
    circular: Circular,
    fmt: str,
    dated: dt.date | None,
    addressee: str,
) -> HttpResponse:
    try:
        data = circular_export(
            actor=request.user, circular=circular, fmt=fmt, dated=dated, addressee=addressee
        )
    except ValidationError as error:
        raise SchemaValidationError(
            [
                {"loc": ["query", field], "msg": " ".join(messages), "type": "value_error"}
                for field, messages in error.message_dict.items()
            ]
        ) from None
    name, fallback = circular_file_name(circular, fmt)
    return download(data, name, fallback=fallback)


@router.get("/classes/{int:class_id}/circular", response=CircularOut)
def get_class_circular(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """Per unit given places: places, nominated (of whom named), attended, completed, did not
    come; and the named list of those dispatched who did not come."""
    return circular_out(class_circular(actor=request.user, training_class=class_id))


@router.get("/classes/{int:class_id}/circular/file")
def get_class_circular_file(
    request: HttpRequest,
    class_id: IdParam,
    format: str = "pdf",
    dated: dt.date | None = None,
    addressee: str = "",
) -> HttpResponse:
    circular = class_circular(actor=request.user, training_class=class_id)
    return file_of(request, circular, format, dated, addressee)


def _year(year: int | None) -> int:
    return year if year is not None else timezone.localdate().year


@router.get("/circular", response=CircularOut)
def get_year_circular(
    request: HttpRequest, org: IdParam, year: YearParam | None = None
) -> dict[str, Any]:
    """The same, summed per unit over the classes organised in `org`'s subtree that started in
    `year` (this year by default), published or closed."""
    return circular_out(org_year_circular(actor=request.user, org=org, year=_year(year)))


@router.get("/circular/file")
def get_year_circular_file(
    request: HttpRequest,
    org: IdParam,
    year: YearParam | None = None,
    format: str = "pdf",
    dated: dt.date | None = None,
    addressee: str = "",
) -> HttpResponse:
    circular = org_year_circular(actor=request.user, org=org, year=_year(year))
    return file_of(request, circular, format, dated, addressee)
