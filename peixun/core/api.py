"""API v1 for the audit trail: org admins (and platform admins) read the events of their subtrees."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from .apiutils import Paged
from .models import AuditEvent
from .scoping import can_read_audit
from .selectors import audit_list

# A page holds at most this many rows, whatever `limit` asks for: a county has 50k members.


router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str | None
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    org_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    address: str | None

    @staticmethod
    def resolve_actor_username(obj: AuditEvent) -> str | None:
        return obj.actor.username if obj.actor else None


@router.get("/", response=list[AuditOut])
@paginate(Paged)
def list_audit(
    request: HttpRequest,
    actor: str = "",
    object: str = "",
    verb: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    if not can_read_audit(request.user):
        raise HttpError(404, "Not Found")
    return audit_list(
        actor=request.user,
        actor_q=actor,
        object_q=object,
        verb=verb,
        date_from=date_from,
        date_to=date_to,
    )
