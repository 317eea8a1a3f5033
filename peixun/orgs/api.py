"""API v1 for the org tree: reads through visible_to, writes through `orgs.services`.

An org in the path out of scope is a 404; one named in the body (parent, new_parent) out of scope
is a 422 field error, like any bad value. A visible org the actor may not change is a 403 (the
service says so).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, Paged, query_error
from peixun.core.permissions import require_admin
from peixun.core.scoping import get_visible_or_404

from . import selectors, services
from .models import Organization

# A page holds at most this many rows, whatever `limit` asks for: a county has 50k members.

router = Router(tags=["orgs"])


class OrgOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int
    closed_on: dt.date | None
    is_open: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Organization) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent_id(obj: Organization) -> int | None:
        # Lists annotate the parent id in SQL; a single org looks it up once.
        if hasattr(obj, "parent_pk"):
            return obj.parent_pk  # type: ignore[no-any-return]
        return selectors.org_parent_id(obj)


class OrgCreateIn(Schema):
    parent: Id | None = None
    code: str
    name: str
    kind: str


class OrgPatchIn(Schema):
    name: str | None = None
    code: str | None = None


class OrgMoveIn(Schema):
    new_parent: Id


class OrgCloseIn(Schema):
    on: dt.date | None = None


def org_or_404(request: HttpRequest, pk: int) -> Organization:
    return get_visible_or_404(request.user, Organization, pk)


@router.get("/", response=list[OrgOut])
@paginate(Paged)
def list_orgs(
    request: HttpRequest,
    q: str = "",
    parent: IdParam | None = None,
    kind: str = "",
    include_closed: bool = False,
) -> Any:
    """Orgs the actor may see. `q` matches the name or the start of the code; `parent` lists
    that org's direct children."""
    parent_org = org_or_404(request, parent) if parent is not None else None
    if kind and kind not in Organization.Kind.values:
        raise query_error("kind", _("Unknown kind of organization."))
    return selectors.orgs_listed(
        actor=request.user, parent=parent_org, kind=kind, q=q, include_closed=include_closed
    )


@router.post("/", response={201: OrgOut})
def create_org(request: HttpRequest, payload: OrgCreateIn) -> Status[Organization]:
    """A new org under `parent` (a tenant root, without a parent, for a platform admin only)."""
    parent = (
        selectors.org_field(request.user, "parent", payload.parent)
        if payload.parent is not None
        else None
    )
    org = services.org_create(
        actor=request.user, parent=parent, code=payload.code, name=payload.name, kind=payload.kind
    )
    return Status(201, org)


@router.get("/{int:org_id}", response=OrgOut)
def get_org(request: HttpRequest, org_id: IdParam) -> Organization:
    return org_or_404(request, org_id)


@router.get("/{int:org_id}/children", response=list[OrgOut])
@paginate(Paged)
def list_children(request: HttpRequest, org_id: IdParam, include_closed: bool = False) -> Any:
    org = org_or_404(request, org_id)
    return selectors.orgs_listed(actor=request.user, parent=org, include_closed=include_closed)


@router.patch("/{int:org_id}", response=OrgOut)
def update_org(request: HttpRequest, org_id: IdParam, payload: OrgPatchIn) -> Organization:
    """Rename an org or change its code."""
    org = org_or_404(request, org_id)
    return services.org_rename(
        actor=request.user,
        org=org,
        name=org.name if payload.name is None else payload.name,
        code=payload.code,
    )


@router.post("/{int:org_id}/move", response=OrgOut)
def move_org(request: HttpRequest, org_id: IdParam, payload: OrgMoveIn) -> Organization:
    """Move the org with its whole subtree under `new_parent`."""
    org = org_or_404(request, org_id)
    # The actor's right over the org itself is judged before the target they name.
    require_admin(request.user, org)
    new_parent = selectors.org_field(request.user, "new_parent", payload.new_parent)
    return services.org_move(actor=request.user, org=org, new_parent=new_parent)


@router.post("/{int:org_id}/close", response=OrgOut)
def close_org(
    request: HttpRequest, org_id: IdParam, payload: OrgCloseIn | None = None
) -> Organization:
    """Close an org that holds no members and no open child orgs."""
    org = org_or_404(request, org_id)
    return services.org_close(actor=request.user, org=org, on=payload.on if payload else None)
