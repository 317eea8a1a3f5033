"""API v1 for members: reads through `members.selectors`, writes through `members.services`.

A member out of the actor's scope is a 404; a visible member the actor may not change is a 403.
An org named in the body (`org`, `to_org`) that the actor cannot use is a 422 field error.
The plain ID number never appears in a response except from the audited reveal.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import ErrorOut, Id, IdParam, Paged, query_error
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization, Position
from peixun.orgs.selectors import org_field

from . import selectors, services
from .models import Member, Membership
from .selectors import MemberFilters

# A page holds at most this many rows, whatever `limit` asks for: a county has 50k members.

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    ethnicity: str
    birth_date: dt.date
    id_number_masked: str
    mobile: str
    education: str
    education_label: str
    candidate_since: dt.date | None
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    status: str
    status_label: str
    cadre_rank: str
    cadre_rank_label: str
    employment: str
    employment_label: str
    exempt_reason: str
    exempt_reason_label: str
    org_id: int
    org_name: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_gender_label(obj: Member) -> str:
        return str(obj.get_gender_display())

    @staticmethod
    def resolve_education_label(obj: Member) -> str:
        return str(obj.get_education_display()) if obj.education else ""

    @staticmethod
    def resolve_status_label(obj: Member) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_cadre_rank_label(obj: Member) -> str:
        return str(obj.get_cadre_rank_display())

    @staticmethod
    def resolve_employment_label(obj: Member) -> str:
        return str(obj.get_employment_display())

    @staticmethod
    def resolve_exempt_reason_label(obj: Member) -> str:
        return str(obj.get_exempt_reason_display()) if obj.exempt_reason else ""

    @staticmethod
    def resolve_org_name(obj: Member) -> str:
        return obj.org.name


class MemberCreateIn(Schema):
    """Choice fields take the stored value ('full') or its label; the ID number is checked
    against GB 11643 and fills the birth date and gender when they are left out."""

    org: Id
    name: str
    id_number: str
    status: str = Member.Status.FULL
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: dt.date | None = None
    mobile: str | None = None
    education: str | None = None
    candidate_since: dt.date | None = None
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    cadre_rank: str | None = None
    employment: str | None = None
    exempt_reason: str | None = None
    since: dt.date | None = None


class MemberPatchIn(Schema):
    """Only the fields sent change; `null` clears an optional field. The org changes by transfer."""

    org: Id | None = None
    name: str | None = None
    id_number: str | None = None
    status: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: dt.date | None = None
    mobile: str | None = None
    education: str | None = None
    candidate_since: dt.date | None = None
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    cadre_rank: str | None = None
    employment: str | None = None
    exempt_reason: str | None = None


class TransferIn(Schema):
    to_org: Id
    effective: dt.date
    note: str = ""


class DepartIn(Schema):
    """`reason`: transfer_out (转出), death (去世), removal (除名/出党) or withdrawal (退党)."""

    reason: str
    effective: dt.date
    note: str = ""


class MembershipOut(Schema):
    id: int
    org_id: int
    org_name: str
    since: dt.date
    until: dt.date | None
    note: str
    departure: str
    departure_label: str

    @staticmethod
    def resolve_org_name(obj: Membership) -> str:
        return obj.org.name

    @staticmethod
    def resolve_departure_label(obj: Membership) -> str:
        return str(obj.get_departure_display()) if obj.departure else ""


class RevealOut(Schema):
    id_number: str


class RosterImportErrorOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class RosterImportOut(Schema):
    ok: bool
    errors: list[RosterImportErrorOut]
    created: int
    updated: int
    unchanged: int
    transferred: int


def member_or_404(request: HttpRequest, pk: int) -> Member:
    return get_visible_or_404(request.user, Member, pk)


@router.get("/", response=list[MemberOut])
@paginate(Paged)
def list_members(
    request: HttpRequest,
    org: IdParam | None = None,
    status: str = "",
    cadre_rank: str = "",
    position: str = "",
    exempt: str = "",
    employment: str = "",
    q: str = "",
) -> QuerySet[Member]:
    """Members the actor may see. `org` narrows to that org's subtree; `exempt` is yes or no;
    `q` matches the name or the start of the mobile number."""
    allowed = {
        "status": (status, Member.Status.values),
        "cadre_rank": (cadre_rank, Member.CadreRank.values),
        "position": (position, Position.Role.values),
        "exempt": (exempt, ["yes", "no"]),
        "employment": (employment, Member.Employment.values),
    }
    for field, (value, values) in allowed.items():
        if value and value not in values:
            raise query_error(
                field, _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(values)}
            )
    filters = MemberFilters(
        org=get_visible_or_404(request.user, Organization, org) if org is not None else None,
        status=status,
        cadre_rank=cadre_rank,
        position=position,
        exempt=exempt,
        employment=employment,
        q=q,
    )
    return selectors.member_list(actor=request.user, filters=filters)


@router.post("/", response={201: MemberOut})
def create_member(request: HttpRequest, payload: MemberCreateIn) -> Status[Member]:
    org = org_field(request.user, "org", payload.org)
    data = payload.dict(exclude={"org", "since"}, exclude_none=True)
    member = services.member_create(actor=request.user, org=org, data=data, since=payload.since)
    return Status(201, member)


@router.get("/{int:member_id}", response=MemberOut)
def get_member(request: HttpRequest, member_id: IdParam) -> Member:
    return member_or_404(request, member_id)


@router.patch("/{int:member_id}", response=MemberOut)
def update_member(request: HttpRequest, member_id: IdParam, payload: MemberPatchIn) -> Member:
    member = member_or_404(request, member_id)
    data = payload.dict(exclude_unset=True)
    return services.member_update(actor=request.user, member=member, data=data)


@router.post("/{int:member_id}/transfer", response={201: MembershipOut})
def transfer_member(
    request: HttpRequest, member_id: IdParam, payload: TransferIn
) -> Status[Membership]:
    """组织关系转接 to `to_org` from `effective` (not in the future)."""
    member = member_or_404(request, member_id)
    # The service checks the target against the actor's scope before anything else, so an
    # unknown id and one out of scope get the same answer.
    to_org = selectors.transfer_target(pk=payload.to_org)
    membership = services.member_transfer(
        actor=request.user,
        member=member,
        to_org=to_org,  # type: ignore[arg-type]
        effective=payload.effective,
        note=payload.note,
    )
    return Status(201, membership)


@router.post("/{int:member_id}/depart", response=MembershipOut)
def depart_member(request: HttpRequest, member_id: IdParam, payload: DepartIn) -> Membership:
    """The member leaves the tenant on `effective` (not in the future): the open membership
    closes with the reason, current positions end, and the member's login stops at once.
    Answers the closed membership."""
    member = member_or_404(request, member_id)
    return services.member_depart(
        actor=request.user,
        member=member,
        reason=payload.reason,
        effective=payload.effective,
        note=payload.note,
    )


@router.get("/{int:member_id}/history", response=list[MembershipOut])
def member_history(request: HttpRequest, member_id: IdParam) -> Any:
    member = member_or_404(request, member_id)
    return selectors.member_history(actor=request.user, member=member)


@router.post("/{int:member_id}/reveal-id", response=RevealOut)
def reveal_id(request: HttpRequest, member_id: IdParam) -> dict[str, str]:
    """The plain ID number, for an org admin over the member's org; every reveal is audited."""
    member = member_or_404(request, member_id)
    return {"id_number": services.member_reveal_id(actor=request.user, member=member)}


class PositionIn(Schema):
    org: Id
    role: str
    kind: str
    since: dt.date
    until: dt.date | None = None


class PositionEndIn(Schema):
    until: dt.date


class PositionOut(Schema):
    id: int
    member_id: int
    org_id: int
    org_name: str
    role: str
    role_label: str
    kind: str
    kind_label: str
    since: dt.date
    until: dt.date | None

    @staticmethod
    def resolve_org_name(obj: Position) -> str:
        return obj.org.name

    @staticmethod
    def resolve_role_label(obj: Position) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_kind_label(obj: Position) -> str:
        return str(obj.get_kind_display())


@router.post("/{int:member_id}/positions", response={201: PositionOut})
def assign_position(
    request: HttpRequest, member_id: IdParam, payload: PositionIn
) -> Status[Position]:
    """Give the member a position (书记, 副书记, 组织委员, 纪检委员 …) in their org, an org above it or
    a group below it; the actor must manage that org (else 403, or 422 for an org they cannot
    use)."""
    member = member_or_404(request, member_id)
    org = org_field(request.user, "org", payload.org)
    position = services.position_assign(
        actor=request.user,
        member=member,
        org=org,
        role=payload.role,
        kind=payload.kind,
        since=payload.since,
        until=payload.until,
    )
    return Status(201, position)


@router.post("/{int:member_id}/positions/{int:position_id}/end", response=PositionOut)
def end_position(
    request: HttpRequest, member_id: IdParam, position_id: IdParam, payload: PositionEndIn
) -> Position:
    """End a current position on `until`; a position the actor may not end is a 404."""
    member = member_or_404(request, member_id)
    position = selectors.open_position_manageable_or_404(
        actor=request.user, member=member, pk=position_id
    )
    return services.position_end(actor=request.user, position=position, until=payload.until)


@router.post("/import", response={200: RosterImportOut, 422: RosterImportOut | ErrorOut})
def import_roster(request: HttpRequest, file: File[UploadedFile], dry_run: bool = True) -> Any:
    """Import a roster workbook (.xlsx, the template's headers). `dry_run=true` (the default)
    only checks it (200, problems listed); otherwise every row is written, or none when any row
    or the file has a problem: then 422 with the same report."""
    # Read at most one byte past the limit: enough for the import to refuse an oversized file
    # without holding all of it in memory.
    data = file.read(int(settings.ROSTER_MAX_UPLOAD_BYTES) + 1)
    report = services.roster_import(
        actor=request.user, data=data, filename=file.name or "", dry_run=dry_run
    )
    return Status(200 if dry_run or report.ok else 422, report)
