"""青年理论学习小组: study groups whose members come from several branches and meet on their own
schedule. A group is kept by an org (usually above the branches) and managed by its managers;
its meetings are ordinary meetings of that org (`meeting_record(study_group=…)`) that expect
the group's members, so that closing one credits those present as any meeting does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import StudyGroup, StudyGroupMember

GROUP_AUDIT = ["org", "name", "leader", "active", "note"]


def _check_fields(
    errors: dict[str, str],
    *,
    org: Organization,
    name: str,
    leader: Member | None,
    exclude: int | None = None,
) -> str:
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the group a name.")
    elif StudyGroup.objects.filter(org=org, name=name).exclude(pk=exclude).exists():
        errors["name"] = _("This organization already keeps a group of that name.")
    if leader is not None and not leader.org.path.startswith(org.path):
        errors["leader"] = _("%(name)s is not a member of this organization.") % {
            "name": leader.name
        }
    return name


@transaction.atomic
def study_group_create(
    *,
    actor: Actor,
    org: Organization,
    name: str,
    leader: Member | None = None,
    note: str = "",
) -> StudyGroup:
    """A new study group kept by `org`; its leader, when named, joins it at once."""
    require_manage(actor, org)
    errors: dict[str, str] = {}
    name = _check_fields(errors, org=org, name=name, leader=leader)
    if errors:
        raise ValidationError(errors)
    group = StudyGroup.objects.create(
        org=org, name=name[:100], leader=leader, note=(note or "").strip()[:300]
    )
    if leader is not None:
        StudyGroupMember.objects.create(group=group, member=leader, joined_on=timezone.localdate())
    audit_record(
        actor=actor,
        verb="study_group.create",
        obj=group,
        org=org,
        after=snapshot(group, GROUP_AUDIT),
    )
    return group


def _locked(group: StudyGroup) -> StudyGroup:
    locked: StudyGroup = (
        StudyGroup.objects.select_for_update(of=("self",)).select_related("org").get(pk=group.pk)
    )
    return locked


@transaction.atomic
def study_group_update(
    *,
    actor: Actor,
    group: StudyGroup,
    name: str,
    leader: Member | None = None,
    active: bool = True,
    note: str = "",
) -> StudyGroup:
    group = _locked(group)
    require_manage(actor, group.org)
    errors: dict[str, str] = {}
    name = _check_fields(errors, org=group.org, name=name, leader=leader, exclude=group.pk)
    if errors:
        raise ValidationError(errors)
    before = snapshot(group, GROUP_AUDIT)
    group.name = name[:100]
    group.leader = leader
    group.active = bool(active)
    group.note = (note or "").strip()[:300]
    group.save()
    audit_record(
        actor=actor,
        verb="study_group.update",
        obj=group,
        org=group.org,
        before=before,
        after=snapshot(group, GROUP_AUDIT),
    )
    return group


@transaction.atomic
def study_group_member_add(
    *, actor: Actor, group: StudyGroup, member: Member, joined_on: Any = None
) -> StudyGroupMember:
    """Add a member of the keeping org's subtree (any branch below it)."""
    group = _locked(group)
    require_manage(actor, group.org)
    joined_on = joined_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not member.org.path.startswith(group.org.path):
        errors["member"] = _("%(name)s is not a member of this organization.") % {
            "name": member.name
        }
    elif StudyGroupMember.objects.filter(group=group, member=member, left_on__isnull=True).exists():
        errors["member"] = _("%(name)s is already in the group.") % {"name": member.name}
    if not isinstance(joined_on, dt.date):
        errors["joined_on"] = _("Enter a date.")
    if errors:
        raise ValidationError(errors)
    row = StudyGroupMember.objects.create(group=group, member=member, joined_on=joined_on)
    audit_record(
        actor=actor,
        verb="study_group.join",
        obj=group,
        org=group.org,
        after={"member": member.pk, "joined_on": joined_on.isoformat()},
    )
    return row


@transaction.atomic
def study_group_member_remove(
    *, actor: Actor, membership: StudyGroupMember, left_on: Any = None
) -> StudyGroupMember:
    """The member leaves the group on `left_on` (today by default): meetings after that day no
    longer expect them; the row stays, so the meetings before still do."""
    group = _locked(membership.group)
    require_manage(actor, group.org)
    row = StudyGroupMember.objects.select_for_update().get(pk=membership.pk)
    left_on = left_on or timezone.localdate()
    if row.left_on is not None:
        raise ValidationError({"member": _("This member has already left the group.")})
    if not isinstance(left_on, dt.date) or left_on < row.joined_on:
        raise ValidationError({"left_on": _("The member cannot leave before joining.")})
    row.left_on = left_on
    row.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        verb="study_group.leave",
        obj=group,
        org=group.org,
        before={"member": row.member_id},
        after={"member": row.member_id, "left_on": left_on.isoformat()},
    )
    return row
