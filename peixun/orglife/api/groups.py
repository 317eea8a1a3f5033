"""API v1 for the 青年理论学习小组 under /api/v1/orglife/groups: the groups, one group, its
members (join, leave). A group's meetings are created with POST /meetings and `study_group`.
Statuses as in meetings.py: out of scope 404, a reader writing 403, a bad value 422."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged
from peixun.core.scoping import get_visible_or_404
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field

from .. import selectors
from ..models import StudyGroup, StudyGroupMember
from ..selectors import groups as queries
from ..services import groups as services

router = Router()


def member_field(actor: Any, field: str, pk: int) -> Member:
    """A member named in a body: one out of the actor's sight is a field error (422)."""
    member = selectors.member_visible(actor, pk)
    if member is None:
        raise ValidationError({field: _("No such member in your scope.")})
    return member


class StudyGroupOut(Schema):
    id: int
    org: OrgRef
    name: str
    leader: int | None
    active: bool
    note: str
    member_count: int
    meeting_count: int

    @staticmethod
    def resolve_leader(obj: StudyGroup) -> int | None:
        return obj.leader_id


class StudyGroupDetailOut(StudyGroupOut):
    hours_this_year: Decimal


class StudyGroupIn(Schema):
    org: Id
    name: str
    leader: Id | None = None
    note: str = ""


class StudyGroupPatchIn(Schema):
    name: str | None = None
    leader: Id | None = None
    active: bool | None = None
    note: str | None = None


class StudyGroupMemberOut(Schema):
    id: int
    member: int
    member_name: str
    branch: OrgRef
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_member(obj: StudyGroupMember) -> int:
        return obj.member_id

    @staticmethod
    def resolve_member_name(obj: StudyGroupMember) -> str:
        return obj.member.name

    @staticmethod
    def resolve_branch(obj: StudyGroupMember) -> Any:
        return obj.member.org


class StudyGroupMemberIn(Schema):
    member: Id
    joined_on: dt.date | None = None


class StudyGroupLeaveIn(Schema):
    left_on: dt.date | None = None


def _out(actor: Any, pk: int) -> StudyGroup:
    group = queries.study_group_list(actor).get(pk=pk)
    group.hours_this_year = queries.study_group_hours(group, timezone.localdate().year)  # type: ignore[attr-defined]
    return group


@router.get("/groups", response=list[StudyGroupOut])
@paginate(Paged)
def list_groups(request: HttpRequest, org: IdParam | None = None, q: str = "") -> Any:
    """Study groups the actor may see, with their members today and meetings this year."""
    organisation = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return queries.study_group_list(request.user, org=organisation, q=q[:100])


@router.post("/groups", response={201: StudyGroupDetailOut})
def create_group(request: HttpRequest, payload: StudyGroupIn) -> Status[StudyGroup]:
    actor = request.user
    org = org_field(actor, "org", payload.org)
    leader = member_field(actor, "leader", payload.leader) if payload.leader else None
    group = services.study_group_create(
        actor=actor, org=org, name=payload.name, leader=leader, note=payload.note
    )
    return Status(201, _out(actor, group.pk))


@router.get("/groups/{int:group_id}", response=StudyGroupDetailOut)
def get_group(request: HttpRequest, group_id: IdParam) -> StudyGroup:
    group = queries.study_group_get(request.user, group_id)
    return _out(request.user, group.pk)


@router.patch("/groups/{int:group_id}", response=StudyGroupDetailOut)
def update_group(request: HttpRequest, group_id: IdParam, payload: StudyGroupPatchIn) -> StudyGroup:
    actor = request.user
    group = queries.study_group_get(actor, group_id)
    data = payload.dict(exclude_unset=True)
    leader = group.leader
    if "leader" in data:
        leader = member_field(actor, "leader", data["leader"]) if data["leader"] else None
    services.study_group_update(
        actor=actor,
        group=group,
        name=group.name if payload.name is None else payload.name,
        leader=leader,
        active=group.active if payload.active is None else payload.active,
        note=group.note if payload.note is None else payload.note,
    )
    return _out(actor, group.pk)


@router.get("/groups/{int:group_id}/members", response=list[StudyGroupMemberOut])
def list_group_members(request: HttpRequest, group_id: IdParam) -> Any:
    """Every membership, current first, then those who left."""
    group = queries.study_group_get(request.user, group_id)
    return list(queries.study_group_memberships(group))


@router.post("/groups/{int:group_id}/members", response={201: StudyGroupMemberOut})
def add_group_member(
    request: HttpRequest, group_id: IdParam, payload: StudyGroupMemberIn
) -> Status[StudyGroupMember]:
    actor = request.user
    group = queries.study_group_get(actor, group_id)
    member = member_field(actor, "member", payload.member)
    row = services.study_group_member_add(
        actor=actor, group=group, member=member, joined_on=payload.joined_on
    )
    return Status(201, queries.study_group_membership_get(group, row.pk))


@router.post(
    "/groups/{int:group_id}/members/{int:membership_id}/leave", response=StudyGroupMemberOut
)
def leave_group(
    request: HttpRequest, group_id: IdParam, membership_id: IdParam, payload: StudyGroupLeaveIn
) -> StudyGroupMember:
    actor = request.user
    group = queries.study_group_get(actor, group_id)
    row = queries.study_group_membership_get(group, membership_id)
    services.study_group_member_remove(actor=actor, membership=row, left_on=payload.left_on)
    return queries.study_group_membership_get(group, row.pk)
