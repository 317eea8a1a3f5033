"""Every write to the study-hour ledger and its rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, audit_record_many, build_event, snapshot
from peixun.core.permissions import require_admin, require_manage
from peixun.core.scoping import Actor, actor_id, can_admin_org, can_manage_org, path_in, scope_of
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization

from ..models import (
    HOURS_STEP,
    MAX_ENTRY_HOURS,
    CreditEntry,
    HoursSettings,
    Kind,
    Topic,
)
from ..registry import entry_decided
from ..selectors.ledger import settings_for
from .rollups import rollup_apply

ENTRY_AUDIT = [
    "member",
    "org",
    "on",
    "year",
    "hours",
    "kind",
    "topic",
    "concentrated",
    "online",
    "title",
    "state",
    "reverses",
    "reason",
]
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".docx",
    ".doc",
    ".xlsx",
    ".xls",
    ".pptx",
    ".ppt",
)
# The first bytes each allowed type starts with: a renamed .exe or .html is refused.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".ppt": (b"\xd0\xcf\x11\xe0",),
}


def clean_hours(raw: Any) -> Decimal:
    try:
        hours = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Enter a number of hours, such as 2 or 1.5.")}) from None
    if not hours.is_finite() or hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    if hours > MAX_ENTRY_HOURS:
        raise ValidationError(
            {"hours": _("At most %(max)s hours in one entry.") % {"max": MAX_ENTRY_HOURS}}
        )
    if hours % HOURS_STEP:
        raise ValidationError({"hours": _("Hours go in steps of a quarter: 0.25, 0.5, 0.75, 1 …")})
    return hours


def _check_date(on: dt.date, year: int) -> None:
    if on.year != year:
        raise ValidationError(
            {"on": _("The date is not in the accounting year %(year)s.") % {"year": year}}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})


def _check_choice(field: str, value: str, choices: type) -> None:
    if value not in choices.values:  # type: ignore[attr-defined]
        raise ValidationError({field: _("Unknown value.")})


def _branches_on(members: list[Member], on: dt.date) -> dict[int, int]:
    rows = Membership.objects.on(on).filter(member__in=members).values_list("member_id", "org_id")
    return dict(rows)


@transaction.atomic
def entry_record(
    *,
    actor: Actor,
    members: list[Member],
    on: dt.date,
    hours: Any,
    kind: str,
    title: str,
    topic: str = Topic.OTHER,
    concentrated: bool = False,
    online: bool = False,
    year: int | None = None,
    source: str = CreditEntry.Source.MANUAL,
    reference: str = "",
) -> list[CreditEntry]:
    """Record one activity for one member or a whole list: confirmed at once, rollup updated."""
    if not members:
        raise ValidationError({"members": _("Choose at least one member.")})
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": _("A member is listed twice.")})
    year = year or on.year
    hours_value = clean_hours(hours)
    _check_date(on, year)
    _check_choice("kind", kind, Kind)
    _check_choice("topic", topic, Topic)
    _check_choice("source", source, CreditEntry.Source)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Name the activity.")})
    branch_of = _branches_on(members, on)
    # The credit belongs to the branch of that day: its managers may record it even after the
    # member moved on (a meeting held before a transfer), as may the managers of today's org.
    branch_paths = dict(
        Organization.objects.filter(pk__in=set(branch_of.values())).values_list("pk", "path")
    )
    scope = scope_of(actor)
    for member in members:
        then = branch_paths.get(branch_of.get(member.pk, -1))
        allowed = can_manage_org(actor, member.org) or (
            then is not None and (scope.platform or path_in(then, scope.manage_paths))
        )
        if not allowed:
            raise ValidationError(
                {"members": _("%(name)s is not in your scope.") % {"name": member.name}}
            )
    missing = [m.name for m in members if m.pk not in branch_of]
    if missing:
        raise ValidationError(
            {
                "on": _("Not yet registered in a branch on that date: %(names)s.")
                % {"names": "、".join(missing)}
            }
        )
    entries = [
        CreditEntry(
            member=m,
            org_id=branch_of[m.pk],
            on=on,
            year=year,
            hours=hours_value,
            kind=kind,
            topic=topic,
            concentrated=concentrated,
            online=online,
            title=title[:200],
            source=source,
            reference=reference[:100],
            state=CreditEntry.State.CONFIRMED,
            recorded_by_id=actor_id(actor),
        )
        for m in members
    ]
    CreditEntry.objects.bulk_create(entries, batch_size=1000)
    rollup_apply(entries)
    audit_record_many(
        [
            build_event(
                actor=actor,
                verb="hours.record",
                obj=e,
                org=e.member.org,
                after=snapshot(e, ENTRY_AUDIT),
            )
            for e in entries
        ]
    )
    return entries


def _check_evidence(evidence: UploadedFile[Any] | None) -> None:
    if evidence is None:
        return
    name = (evidence.name or "").lower()
    if not name.endswith(EVIDENCE_TYPES):
        raise ValidationError({"evidence": _("Upload a PDF, a picture or an Office document.")})
    if evidence.size and evidence.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": _("The file is larger than 10 MB.")})
    if not evidence.size:
        raise ValidationError({"evidence": _("The file is empty.")})
    evidence.seek(0)
    head = evidence.read(8)
    evidence.seek(0)
    suffix = name[name.rfind(".") :]
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise ValidationError({"evidence": _("The file's content is not the type its name says.")})


@transaction.atomic
def self_study_file(
    *,
    actor: Actor,
    on: dt.date,
    hours: Any,
    title: str,
    topic: str = Topic.OTHER,
    reflection: str = "",
    evidence: UploadedFile[Any] | None = None,
    online: bool = False,
    reference: str = "",
) -> CreditEntry:
    """A member files their own self-study (自学, 心得体会); it waits for the secretary.
    `reference` names what an app above filed it for (``book:<id>``, a 必读书目's 心得)."""
    scope = scope_of(actor)
    if not scope.member_id:
        raise PermissionDenied(_("Only a member can file self-study."))
    member = Member.objects.select_related("org").get(pk=scope.member_id)
    hours_value = clean_hours(hours)
    _check_date(on, on.year)
    _check_choice("topic", topic, Topic)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Name what you studied.")})
    _check_evidence(evidence)
    branch = _branches_on([member], on).get(member.pk)
    if branch is None:
        raise ValidationError({"on": _("You were not yet registered in a branch on that date.")})
    entry = CreditEntry(
        member=member,
        org_id=branch,
        on=on,
        year=on.year,
        hours=hours_value,
        kind=Kind.SELF_STUDY,
        topic=topic,
        concentrated=False,
        online=online,
        title=title[:200],
        reflection=(reflection or "").strip(),
        source=CreditEntry.Source.SELF_STUDY,
        reference=reference[:100],
        state=CreditEntry.State.PENDING,
        recorded_by_id=actor_id(actor),
    )
    if evidence is not None:
        entry.evidence = evidence
    entry.save()
    audit_record(
        actor=actor,
        verb="hours.self_study",
        obj=entry,
        org=member.org,
        after=snapshot(entry, ENTRY_AUDIT),
    )
    return entry


def _locked(entry: CreditEntry) -> CreditEntry:
    return CreditEntry.objects.select_for_update().select_related("member__org").get(pk=entry.pk)


def _not_own(actor: Actor, entry: CreditEntry) -> None:
    # A secretary's own self-study is decided by another manager, never by themselves.
    if getattr(actor, "member_id", None) == entry.member_id and not scope_of(actor).platform:
        raise PermissionDenied(_("You cannot decide on your own filing."))


@transaction.atomic
def entry_approve(*, actor: Actor, entry: CreditEntry) -> CreditEntry:
    """Confirm a pending entry. Where the tenant asks for two stages, the secretary's approval
    passes it to the org admin, whose approval confirms it."""
    entry = _locked(entry)
    if entry.state != CreditEntry.State.PENDING:
        raise ValidationError({"state": _("Only a pending entry can be approved.")})
    org = entry.member.org
    require_manage(actor, org)
    _not_own(actor, entry)
    two_stage = settings_for(org).two_stage_approval
    if two_stage and entry.first_approved_by_id is None and not can_admin_org(actor, org):
        entry.first_approved_by_id = actor_id(actor)
        entry.save(update_fields=["first_approved_by"])
        audit_record(actor=actor, verb="hours.approve_first", obj=entry, org=org)
        return entry
    if two_stage and entry.first_approved_by_id is not None:
        require_admin(actor, org)
    entry.state = CreditEntry.State.CONFIRMED
    entry.decided_by_id = actor_id(actor)
    entry.decided_at = timezone.now()
    if entry.first_approved_by_id is None:
        entry.first_approved_by_id = actor_id(actor)
    entry.save(update_fields=["state", "decided_by", "decided_at", "first_approved_by"])
    rollup_apply([entry])
    audit_record(
        actor=actor,
        verb="hours.approve",
        obj=entry,
        org=org,
        before={"state": "pending"},
        after={"state": "confirmed"},
    )
    entry_decided(entry)
    return entry


# One bulk approval decides at most this many filings (a pending page holds 50).
MAX_BULK_APPROVE = 500


def _bulk_problem(actor: Actor, entry: CreditEntry, two_stage: set[str]) -> str:
    """Why `entry_approve` would refuse this entry for the actor ("" when it would not)."""
    name, title = entry.member.name, entry.title
    if entry.state != CreditEntry.State.PENDING:
        return _("%(name)s: “%(title)s” is no longer pending.") % {"name": name, "title": title}
    if getattr(actor, "member_id", None) == entry.member_id and not scope_of(actor).platform:
        return _("%(name)s: “%(title)s” is your own filing; another manager decides on it.") % {
            "name": name,
            "title": title,
        }
    waits_for_admin = (
        entry.member.org.path[: Organization.steplen] in two_stage
        and entry.first_approved_by_id is not None
    )
    if waits_for_admin and not can_admin_org(actor, entry.member.org):
        return _("%(name)s: “%(title)s” waits for the org admin.") % {
            "name": name,
            "title": title,
        }
    return ""


@transaction.atomic
def entries_approve_bulk(*, actor: Actor, ids: list[int]) -> list[CreditEntry]:
    """Approve several pending filings at once, each exactly as `entry_approve` does (and audited
    the same way). All or nothing: if any id is unknown, out of the actor's charge, no longer
    pending or not the actor's to approve, nothing is stored and the error names each one."""
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise PermissionDenied(_("You may not approve filings."))
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ValidationError({"ids": _("Choose at least one filing.")})
    if len(wanted) > MAX_BULK_APPROVE:
        raise ValidationError(
            {"ids": _("Approve at most %(n)s filings at once.") % {"n": MAX_BULK_APPROVE}}
        )
    allowed = set(
        CreditEntry.objects.manageable_by(actor).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    locked = (
        CreditEntry.objects.select_for_update()
        .select_related("member__org")
        .in_bulk([pk for pk in wanted if pk in allowed])
    )
    problems = [
        _("Filing %(id)s is not one you may decide on.") % {"id": pk}
        for pk in wanted
        if pk not in locked
    ]
    roots = {e.member.org.path[: Organization.steplen] for e in locked.values()}
    two_stage = set(
        HoursSettings.objects.filter(tenant__path__in=roots, two_stage_approval=True).values_list(
            "tenant__path", flat=True
        )
    )
    for pk in wanted:
        if pk in locked:
            problem = _bulk_problem(actor, locked[pk], two_stage)
            if problem:
                problems.append(problem)
    if problems:
        raise ValidationError({"ids": problems})
    return [entry_approve(actor=actor, entry=locked[pk]) for pk in wanted]


@transaction.atomic
def entry_reject(*, actor: Actor, entry: CreditEntry, reason: str) -> CreditEntry:
    entry = _locked(entry)
    if entry.state != CreditEntry.State.PENDING:
        raise ValidationError({"state": _("Only a pending entry can be rejected.")})
    require_manage(actor, entry.member.org)
    _not_own(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the member why.")})
    entry.state = CreditEntry.State.REJECTED
    entry.reason = reason[:300]
    entry.decided_by_id = actor_id(actor)
    entry.decided_at = timezone.now()
    entry.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="hours.reject",
        obj=entry,
        org=entry.member.org,
        before={"state": "pending"},
        after={"state": "rejected", "reason": entry.reason},
    )
    entry_decided(entry)
    return entry


def reversal_of(
    entry: CreditEntry, *, reason: str, recorded_by: Actor | None = None
) -> CreditEntry:
    """The unsaved reversing line of `entry`: the same facts with the hours negated."""
    return CreditEntry(
        member_id=entry.member_id,
        org_id=entry.org_id,
        on=entry.on,
        year=entry.year,
        hours=-entry.hours,
        kind=entry.kind,
        topic=entry.topic,
        concentrated=entry.concentrated,
        online=entry.online,
        title=entry.title,
        source=entry.source,
        reference=entry.reference,
        state=CreditEntry.State.CONFIRMED,
        reverses_id=entry.pk,
        reason=reason[:300],
        recorded_by_id=actor_id(recorded_by),
    )


@transaction.atomic
def entry_reverse(*, actor: Actor, entry: CreditEntry, reason: str) -> CreditEntry:
    """Correct a confirmed entry by appending its negation; the original stays as it was."""
    entry = _locked(entry)
    require_manage(actor, entry.member.org)
    if entry.is_reversal:
        raise ValidationError(
            {"entry": _("A reversal cannot itself be reversed; record a new entry instead.")}
        )
    if entry.state != CreditEntry.State.CONFIRMED:
        raise ValidationError({"entry": _("Only a confirmed entry can be reversed.")})
    if CreditEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": _("This entry has already been reversed.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    reversal = reversal_of(entry, reason=reason, recorded_by=actor)
    reversal.save()
    rollup_apply([reversal])
    audit_record(
        actor=actor,
        verb="hours.reverse",
        obj=reversal,
        org=entry.member.org,
        after=snapshot(reversal, ENTRY_AUDIT),
    )
    return reversal


@transaction.atomic
def entries_reverse_reference(*, actor: Actor, reference: str, reason: str) -> list[CreditEntry]:
    """Reverse every still-standing confirmed entry written under `reference` (an event's
    credits when it is reopened). Returns the reversing entries; none when nothing stands."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    standing = list(
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the joined member/org.
        CreditEntry.objects.select_for_update(of=("self",))
        .filter(
            reference=reference,
            reverses__isnull=True,
            state=CreditEntry.State.CONFIRMED,
            reversed_by__isnull=True,
        )
        .select_related("member__org")
    )
    for entry in standing:
        require_manage(actor, entry.member.org)
    reversals = [reversal_of(e, reason=reason, recorded_by=actor) for e in standing]
    CreditEntry.objects.bulk_create(reversals, batch_size=1000)
    rollup_apply(reversals)
    audit_record_many(
        [
            build_event(
                actor=actor,
                verb="hours.reverse",
                obj=r,
                org=e.member.org,
                after=snapshot(r, ENTRY_AUDIT),
            )
            for r, e in zip(reversals, standing, strict=True)
        ]
    )
    return reversals
