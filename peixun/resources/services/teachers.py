"""The 师资库's writes: a teacher added, changed, leaving the pool (退出) and coming back, and a
login for a teacher to see their own teaching. Kept by an org, changed by its managers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.accounts.services import IssuedCode, account_create, account_create_outside
from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import reader_scope_org_name

from ..documents.teachers import teachers_workbook
from ..models import Subject, Teacher, TeacherSubject, TeacherTitle
from ..selectors import teachers as selectors

TEACHER_AUDIT = [
    "org", "open_to", "member", "name", "unit", "position", "title", "phone", "bio", "active",
    "left_on", "left_reason",
]  # fmt: skip
TEACHER_TEXT_LIMITS = {"name": 100, "unit": 200, "position": 100, "phone": 32, "bio": 4000}
MAX_SUBJECTS = len(Subject.values)
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _same_tree(a: Organization, b: Organization) -> bool:
    step = Organization.steplen
    return bool(a.path[:step] == b.path[:step])


def clean_teacher_fields(data: dict[str, Any], *, keeper: Organization) -> dict[str, Any]:
    """Every field checked at once; raises one ValidationError naming each bad field.
    `subjects` comes back as a sorted list of Subject values."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, limit in TEACHER_TEXT_LIMITS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
        clean[name] = value
    member = data.get("member")
    if member is not None and not isinstance(member, Member):
        errors["member"] = _("Choose a member of the organization.")
    elif member is not None and not _same_tree(member.org, keeper):
        errors["member"] = _("The member must belong to the same organization tree.")
    clean["member"] = member
    if not clean["name"]:
        if isinstance(member, Member):
            clean["name"] = member.name
        else:
            errors["name"] = _("Give the teacher's name.")
    title = str(data.get("title") or TeacherTitle.NONE)
    if title not in TeacherTitle.values:
        errors["title"] = _("Choose a professional title from the list.")
    clean["title"] = title
    open_to = data.get("open_to") or keeper
    if not isinstance(open_to, Organization) or not _same_tree(open_to, keeper):
        errors["open_to"] = _("Open the teacher to an organization of the same tree.")
    clean["open_to"] = open_to
    raw_subjects = data.get("subjects") or []
    if isinstance(raw_subjects, str):
        raw_subjects = [raw_subjects]
    subjects = sorted({str(s) for s in raw_subjects})
    if not subjects:
        errors["subjects"] = _("Choose at least one subject the teacher teaches.")
    elif any(s not in Subject.values for s in subjects):
        errors["subjects"] = _("Choose subjects from the list.")
    clean["subjects"] = subjects
    if errors:
        raise ValidationError(errors)
    return clean


def _subjects_set(teacher: Teacher, subjects: list[str]) -> None:
    have = set(teacher.subjects.values_list("subject", flat=True))
    want = set(subjects)
    teacher.subjects.filter(subject__in=have - want).delete()
    TeacherSubject.objects.bulk_create(
        [TeacherSubject(teacher=teacher, subject=s) for s in sorted(want - have)]
    )


def _audit_state(teacher: Teacher) -> dict[str, Any]:
    state = snapshot(teacher, TEACHER_AUDIT)
    state["subjects"] = sorted(teacher.subjects.values_list("subject", flat=True))
    return state


def _require_member_once(org: Organization, member: Member | None, exclude: int | None) -> None:
    """A member is in one org's pool once (another org may keep them too)."""
    if member is None:
        return
    same = Teacher.objects.filter(org=org, member=member)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError(
            {"member": _("%(name)s is already in this pool.") % {"name": member.name}}
        )


@transaction.atomic
def teacher_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> Teacher:
    """A teacher kept by `org`; data: name, unit, position, title, phone, bio, member, open_to
    (default the keeper) and subjects (Subject values, at least one)."""
    require_manage(actor, org)
    clean = clean_teacher_fields(data, keeper=org)
    _require_member_once(org, clean["member"], None)
    subjects = clean.pop("subjects")
    teacher = Teacher.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    _subjects_set(teacher, subjects)
    audit_record(
        actor=actor, verb="resources.teacher.create", obj=teacher, org=org,
        after=_audit_state(teacher),
    )  # fmt: skip
    return teacher


def _locked(teacher: Teacher) -> Teacher:
    locked: Teacher = (
        Teacher.objects.select_for_update(of=("self",)).select_related("org").get(pk=teacher.pk)
    )
    return locked


@transaction.atomic
def teacher_update(*, actor: Actor, teacher: Teacher, data: dict[str, Any]) -> Teacher:
    """The whole record again (the fields of `teacher_create`); subjects replace the old ones."""
    teacher = _locked(teacher)
    require_manage(actor, teacher.org)
    before = _audit_state(teacher)
    clean = clean_teacher_fields(data, keeper=teacher.org)
    _require_member_once(teacher.org, clean["member"], teacher.pk)
    subjects = clean.pop("subjects")
    for name, value in clean.items():
        setattr(teacher, name, value)
    teacher.save()
    _subjects_set(teacher, subjects)
    audit_record(
        actor=actor, verb="resources.teacher.update", obj=teacher, org=teacher.org,
        before=before, after=_audit_state(teacher),
    )  # fmt: skip
    return teacher


@transaction.atomic
def teacher_leave(
    *, actor: Actor, teacher: Teacher, reason: str, left_on: dt.date | None = None
) -> Teacher:
    """退出: the teacher is offered no more (the session picker leaves them out) but keeps their
    teaching history, their sessions and their evaluation results."""
    teacher = _locked(teacher)
    require_manage(actor, teacher.org)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not teacher.active:
        errors["active"] = _("The teacher has already left the pool.")
    if not reason:
        errors["left_reason"] = _("Give the reason the teacher leaves the pool.")
    elif len(reason) > 200:
        errors["left_reason"] = _("At most %(n)s characters.") % {"n": 200}
    day = left_on or timezone.localdate()
    if day > timezone.localdate():
        errors["left_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(teacher, ["active", "left_on", "left_reason"])
    teacher.active, teacher.left_on, teacher.left_reason = False, day, reason
    teacher.save(update_fields=["active", "left_on", "left_reason"])
    audit_record(
        actor=actor, verb="resources.teacher.leave", obj=teacher, org=teacher.org,
        before=before, after=snapshot(teacher, ["active", "left_on", "left_reason"]),
    )  # fmt: skip
    return teacher


@transaction.atomic
def teacher_rejoin(*, actor: Actor, teacher: Teacher) -> Teacher:
    """Back in the pool; the record of having left is cleared (the audit trail keeps it)."""
    teacher = _locked(teacher)
    require_manage(actor, teacher.org)
    if teacher.active:
        raise ValidationError({"active": _("The teacher is already in the pool.")})
    before = snapshot(teacher, ["active", "left_on", "left_reason"])
    teacher.active, teacher.left_on, teacher.left_reason = True, None, ""
    teacher.save(update_fields=["active", "left_on", "left_reason"])
    audit_record(
        actor=actor, verb="resources.teacher.rejoin", obj=teacher, org=teacher.org,
        before=before, after=snapshot(teacher, ["active", "left_on", "left_reason"]),
    )  # fmt: skip
    return teacher


@transaction.atomic
def teacher_login_grant(*, actor: Actor, teacher: Teacher) -> IssuedCode | None:
    """Let the teacher sign in to see their own teaching (sessions, rosters, ratings).

    A member who already has a login is linked to it (None: no code to hand over). A member
    without one, or an outside expert, gets a new login and its one-time activation code, which
    takes an account admin (org admin or security administrator) of the member's org or of the
    keeper. The login holds no grant: it sees its own member pages, if any, and its teaching."""
    teacher = _locked(teacher)
    require_manage(actor, teacher.org)
    if teacher.user_id is not None:
        raise ValidationError({"user": _("The teacher already has a login.")})
    issued: IssuedCode | None = None
    user: User | None = None
    if teacher.member_id is not None:
        user = User.objects.filter(member_id=teacher.member_id).first()
        if user is None:
            member = Member.objects.select_related("org").get(pk=teacher.member_id)
            issued = account_create(actor=actor, member=member)
            user = issued.user
    else:
        issued = account_create_outside(
            actor=actor,
            org=teacher.org,
            username=f"js{teacher.pk:06d}",
            full_name=teacher.name,
            mobile=teacher.phone if MOBILE.match(teacher.phone) else "",
        )
        user = issued.user
    if Teacher.objects.filter(user=user).exclude(pk=teacher.pk).exists():
        raise ValidationError({"user": _("This login already belongs to another teacher record.")})
    teacher.user = user
    teacher.save(update_fields=["user"])
    audit_record(
        actor=actor, verb="resources.teacher.login", obj=teacher, org=teacher.org,
        after={"user": user.pk, "new_login": issued is not None},
    )  # fmt: skip
    return issued


def teachers_export(*, actor: Actor, search: dict[str, Any]) -> bytes:
    """The teachers the pool list shows (`search`: the list's filters, as
    `TeacherFilterForm.search`) as the 师资库 台账. It holds phone numbers, so the download is
    audited ("resources.teacher.export") with the filters and the number of rows."""
    rows = list(selectors.teachers_search(actor, **search))
    content = teachers_workbook(
        rows,
        ratings=selectors.shown_ratings([t.pk for t in rows]),
        org_name=reader_scope_org_name(actor),
    )
    audit_record(
        actor=actor,
        verb="resources.teacher.export",
        object_type="resources.teacher",
        object_repr=_("Teacher pool"),
        after={"rows": len(rows), "search": {k: v for k, v in search.items() if v}},
    )
    return content
