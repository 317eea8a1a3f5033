"""API v1 for the printable 培训档案 and the 学时证明, over `selectors.archive` and
`services.archive` (mounted by the package's `__init__`):

- GET  /compliance/members/{id}/archive?first_year=&last_year=  the record's figures as JSON;
- GET  /compliance/members/{id}/archive/file?…&format=pdf|docx  the record as a file (audited);
- GET  /hours/certificates?serial=&member=                      certificates issued (paged);
- POST /hours/certificates                                      issue one (201; audited);
- GET  /hours/certificates/{id}                                 one certificate as issued;
- GET  /hours/certificates/{id}/file?format=pdf|docx            the certificate (audited).

Statuses as in the rest of the hours API: anonymous 401; a member or certificate in the path
out of scope 404 (a member named in the body: 422, as an unknown one); a reader who may not issue (a viewer, the member themself) 403; bad years, dates or formats
422 naming the field. Hours are decimals sent as strings.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Ref, Year, YearParam
from peixun.core.downloads import download, file_name

from ..models import HoursCertificate
from ..registry import ArchiveLine
from ..selectors import (
    Archive,
    certificate_kinds,
    certificate_list,
    certificate_visible_or_404,
    clean_year_range,
    member_archive,
    member_visible_or_404,
)
from ..services import archive_export, certificate_export, certificate_issue

archive_router = Router(tags=["compliance"])
certificates_router = Router(tags=["hours"])


def query_errors(error: ValidationError) -> SchemaValidationError:
    """A service's field errors as a 422 naming query parameters."""
    return SchemaValidationError(
        [
            {"loc": ["query", field], "msg": " ".join(messages), "type": "value_error"}
            for field, messages in error.message_dict.items()
        ]
    )


def file_response(data: bytes, fmt: str, name: tuple[str, ...], fallback: str) -> HttpResponse:
    """The file named in Chinese (学时证明-张三-….pdf), the old code as the ASCII fallback."""
    return download(data, file_name(*name, ext=fmt), fallback=f"{fallback}.{fmt}")


# -- schemas -------------------------------------------------------------------------------------


class KindHoursOut(Schema):
    kind: str
    label: str
    hours: Decimal


class ArchiveRuleOut(Schema):
    requirement_id: int
    name: str
    required: Decimal
    achieved: Decimal
    gap: Decimal
    status: str
    status_label: str


class ArchiveEntryOut(Schema):
    on: dt.date
    title: str
    kind: str
    kind_label: str
    hours: Decimal
    source: str
    source_label: str
    concentrated: bool
    online: bool
    is_reversal: bool


class ArchiveYearOut(Schema):
    year: int
    as_of: dt.date
    total: Decimal
    concentrated: Decimal
    online: Decimal
    exempt: bool
    by_kind: list[KindHoursOut]
    rules: list[ArchiveRuleOut]
    entries: list[ArchiveEntryOut]


class ArchiveLineOut(Schema):
    on: dt.date
    title: str
    hours: Decimal | None
    outcome: str
    done: bool


class ArchiveFiguresOut(Schema):
    total: Decimal
    concentrated: Decimal
    online: Decimal
    by_kind: list[KindHoursOut]


class ArchiveOut(Schema):
    member: Ref
    org: OrgRef
    status: str
    status_label: str
    joined_on: dt.date | None
    first_year: int
    last_year: int
    figures: ArchiveFiguresOut
    years: list[ArchiveYearOut]
    classes: list[ArchiveLineOut]
    tests: list[ArchiveLineOut]


class CertificateOut(Schema):
    id: int
    serial: str
    member: Ref
    org: OrgRef  # the issuing org
    first_year: int
    last_year: int
    issued_on: dt.date
    total: Decimal
    concentrated: Decimal
    online: Decimal
    by_kind: list[KindHoursOut]
    issued_at: dt.datetime

    @staticmethod
    def resolve_by_kind(obj: Any) -> Any:
        # A list page hands over the stored rows; one certificate comes as `certificate_out`.
        if isinstance(obj, dict):
            return obj["by_kind"]
        return kinds_out(certificate_kinds(obj))


class CertificateIn(Schema):
    member: Id
    first_year: Year
    last_year: Year
    issued_on: dt.date | None = None  # today when not given


def kinds_out(rows: Any) -> list[dict[str, Any]]:
    return [{"kind": k.kind, "label": str(k.label), "hours": k.hours} for k in rows]


def line_out(line: ArchiveLine) -> dict[str, Any]:
    return {
        "on": line.on,
        "title": line.title,
        "hours": line.hours,
        "outcome": line.outcome,
        "done": line.done,
    }


def archive_out(archive: Archive) -> dict[str, Any]:
    member = archive.member
    return {
        "member": {"id": member.pk, "name": member.name},
        "org": {"id": member.org_id, "name": archive.org_name},
        "status": member.status,
        "status_label": str(archive.status_label),
        "joined_on": archive.joined_on,
        "first_year": archive.first_year,
        "last_year": archive.last_year,
        "figures": {
            "total": archive.figures.total,
            "concentrated": archive.figures.concentrated,
            "online": archive.figures.online,
            "by_kind": kinds_out(archive.figures.by_kind),
        },
        "years": [
            {
                "year": y.year,
                "as_of": y.as_of,
                "total": y.total,
                "concentrated": y.concentrated,
                "online": y.online,
                "exempt": y.exempt,
                "by_kind": kinds_out(y.by_kind),
                "rules": [
                    {
                        "requirement_id": r.result.requirement_id,
                        "name": r.result.name,
                        "required": r.result.required,
                        "achieved": r.result.achieved,
                        "gap": r.result.gap,
                        "status": r.result.status,
                        "status_label": str(r.status_label),
                    }
                    for r in y.rules
                ],
                "entries": [
                    {
                        "on": e.on,
                        "title": e.title,
                        "kind": e.kind,
                        "kind_label": str(e.kind_label),
                        "hours": e.hours,
                        "source": e.source,
                        "source_label": str(e.source_label),
                        "concentrated": e.concentrated,
                        "online": e.online,
                        "is_reversal": e.is_reversal,
                    }
                    for e in y.entries
                ],
            }
            for y in archive.years
        ],
        "classes": [line_out(line) for line in archive.classes],
        "tests": [line_out(line) for line in archive.tests],
    }


def certificate_out(c: HoursCertificate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "serial": c.serial,
        "member": {"id": c.member_id, "name": c.member.name},
        "org": {"id": c.org_id, "name": c.org.name},
        "first_year": c.first_year,
        "last_year": c.last_year,
        "issued_on": c.issued_on,
        "total": c.total,
        "concentrated": c.concentrated,
        "online": c.online,
        "by_kind": kinds_out(certificate_kinds(c)),
        "issued_at": c.issued_at,
    }


# -- the record ----------------------------------------------------------------------------------


@archive_router.get("/members/{int:member_id}/archive", response=ArchiveOut)
def archive(
    request: HttpRequest, member_id: IdParam, first_year: YearParam, last_year: YearParam
) -> dict[str, Any]:
    """A member's 培训档案 over the years (at most ten): facts (no ID number), each year's hours
    by kind, rule results and counted entries, the classes attended and the tests passed."""
    member = member_visible_or_404(actor=request.user, member=member_id)
    try:
        first, last = clean_year_range(first_year, last_year)
    except ValidationError as error:
        raise query_errors(error) from None
    return archive_out(
        member_archive(actor=request.user, member=member, first_year=first, last_year=last)
    )


@archive_router.get("/members/{int:member_id}/archive/file")
def archive_file(
    request: HttpRequest,
    member_id: IdParam,
    first_year: YearParam,
    last_year: YearParam,
    format: str = "pdf",
) -> HttpResponse:
    """The 培训档案 as PDF or .docx (`format`); audited as an export of personal data."""
    try:
        data, found = archive_export(
            actor=request.user,
            member=member_id,
            first_year=first_year,
            last_year=last_year,
            fmt=format,
        )
    except ValidationError as error:
        raise query_errors(error) from None
    return file_response(
        data,
        format,
        ("培训档案", found.member.name, found.span),
        f"archive-{member_id}-{found.span}",
    )


# -- certificates --------------------------------------------------------------------------------


@certificates_router.get("/certificates", response=list[CertificateOut])
@paginate(Paged)
def list_certificates(
    request: HttpRequest, serial: str = "", member: IdParam | None = None
) -> QuerySet[HoursCertificate]:
    """Certificates issued to the members the caller may read, newest first; `serial` finds one
    by its number (or the start of it)."""
    return certificate_list(actor=request.user, serial=serial[:40], member=member)


@certificates_router.get("/certificates/{int:certificate_id}", response=CertificateOut)
def get_certificate(request: HttpRequest, certificate_id: IdParam) -> dict[str, Any]:
    return certificate_out(certificate_visible_or_404(actor=request.user, pk=certificate_id))


@certificates_router.post("/certificates", response={201: CertificateOut})
def issue_certificate(request: HttpRequest, payload: CertificateIn) -> Status[dict[str, Any]]:
    """Issue a 学时证明: the member's confirmed hours of the years as they stand now, stored as
    stated, numbered per tenant and year, in the name of the highest org the caller manages
    above the member; `issued_on` is the date it carries (today when not given)."""
    # An unknown member and one out of scope get the same answer (a 422 on the field).
    try:
        member = member_visible_or_404(actor=request.user, member=payload.member)
    except Http404:
        raise ValidationError(
            {"member": _("Not in your scope: member %(ids)s.") % {"ids": payload.member}}
        ) from None
    certificate = certificate_issue(
        actor=request.user,
        member=member,
        first_year=payload.first_year,
        last_year=payload.last_year,
        issued_on=payload.issued_on,
    )
    fresh = certificate_visible_or_404(actor=request.user, pk=certificate.pk)
    return Status(201, certificate_out(fresh))


@certificates_router.get("/certificates/{int:certificate_id}/file")
def certificate_file(
    request: HttpRequest, certificate_id: IdParam, format: str = "pdf"
) -> HttpResponse:
    """The certificate as issued, PDF or .docx (`format`); audited."""
    certificate = certificate_visible_or_404(actor=request.user, pk=certificate_id)
    try:
        data = certificate_export(actor=request.user, certificate=certificate, fmt=format)
    except ValidationError as error:
        raise query_errors(error) from None
    return file_response(
        data,
        format,
        ("学时证明", certificate.member.name, certificate.serial),
        f"certificate-{certificate.serial}",
    )
