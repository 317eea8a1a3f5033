"""Meetings: record one (held, or planned for QR sign-in), change it, close it (credits) and
reopen it (reversals), and its attachments.

A meeting is an event of category "meeting"; the event carries the date, place, hours and the
attendance, and `events.services` does the crediting. A meeting closes alone (no owner).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.events.models import Event
from peixun.events.registry import expected_member_ids
from peixun.events.services import (
    clean_event_fields,
    event_close,
    event_create,
    event_reopen,
    event_update,
    require_open,
)
from peixun.hours.models import Topic
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem

from ..models import (
    GROUP_MEETING_KINDS,
    LEDGER_KIND,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    StudyGroup,
)
from ..selectors import credit_rule_for
from .minutes import MAX_MINUTES_CHARS, clean_minutes

MEETING_AUDIT = ["kind", "host", "minutes", "plan_item", "study_group"]
# A change of these tells the members expected again: the meeting has moved.
WHEN_AND_WHERE = ("starts_at", "ends_at", "place")
# Fields of the meeting's event that `meeting_update` may change.
EVENT_FIELDS = ("title", "starts_at", "ends_at", "place", "topic", "hours")
MEETING_FIELDS = ("host", "minutes", "plan_item")
ATTACHMENT_SUFFIXES = (
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".xls",
    ".xlsx",
    ".jpg",
    ".jpeg",
    ".png",
)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _check_plan_item(item: PlanItem | None, org: Organization) -> None:
    """A meeting counts toward an item of its own org's plan or of a plan above it, or an item
    its org (or an org above it) is responsible for."""
    if item is None:
        return
    item = PlanItem.objects.select_related("plan__org", "responsible_org").get(pk=item.pk)
    if not (
        org.path.startswith(item.plan.org.path) or org.path.startswith(item.responsible_org.path)
    ):
        raise ValidationError(
            {"plan_item": _("This plan item is not of this organization's plan or above it.")}
        )


def _check_text(errors: dict[str, str], host: str | None, minutes: str | None) -> None:
    if host is not None and not host.strip():
        errors["host"] = _("Name who hosted the meeting.")
    if minutes is not None and len(minutes) > MAX_MINUTES_CHARS:
        errors["minutes"] = _("The minutes are too long (at most %(max)s characters).") % {
            "max": MAX_MINUTES_CHARS
        }


def _check_not_future(errors: dict[str, str], starts_at: Any, scheduled: bool) -> None:
    if scheduled or not isinstance(starts_at, dt.datetime):
        return
    if starts_at > timezone.now():
        errors["starts_at"] = _(
            "A held meeting cannot be dated in the future. To let members sign in at an upcoming "
            "meeting, record it as planned."
        )


def _notify_expected(*, actor: Actor, meeting: Meeting, moved: bool) -> int:
    """Tell every member expected at an upcoming meeting, who has a login, when and where it is
    (again when it `moved`), with a link to their view of it; not the actor who scheduled it.
    A few queries whatever the number of members (one bulk insert). Returns how many."""
    event = meeting.event
    if event.state != Event.State.OPEN or event.ends_at <= timezone.now():
        return 0  # a meeting recorded after the fact, or already over: nothing to announce
    users = User.objects.filter(member_id__in=expected_member_ids(event), is_active=True).only(
        "pk", "email"
    )
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    when = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    if end.date() != start.date():
        when = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    facts = {
        "kind": meeting.get_kind_display(),
        "title": event.title,
        "org": event.org.name,
        "when": when,
        "place": event.place or _("place to be announced"),
    }
    if moved:
        title = _("Meeting moved: %(title)s, %(when)s") % facts
        body = _("The %(kind)s of %(org)s “%(title)s” is now on %(when)s at %(place)s.") % facts
    else:
        title = _("Meeting scheduled: %(title)s, %(when)s") % facts
        body = _("%(org)s holds a %(kind)s, “%(title)s”, on %(when)s at %(place)s.") % facts
    sent = notification_send(
        actor=actor,  # nobody is told about their own act
        recipients=users,
        title=title,
        body=body,
        url=reverse("orglife:mine_detail", args=[meeting.pk]),
        # Scheduling is announced once; each move is news of its own.
        dedupe_key="" if moved else f"meeting:{meeting.pk}:scheduled",
        event_date=start.date(),
    )
    return len(sent)


def _event_errors(fields: dict[str, Any]) -> dict[str, str]:
    try:
        clean_event_fields(fields)
    except ValidationError as problem:
        return {k: v[0] for k, v in problem.message_dict.items()}
    return {}


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    org: Organization,
    kind: str,
    title: str,
    starts_at: Any,
    ends_at: Any,
    place: str = "",
    topic: str = Topic.OTHER,
    host: str,
    minutes: str = "",
    plan_item: PlanItem | None = None,
    hours: Any = None,
    scheduled: bool = False,
    study_group: StudyGroup | None = None,
) -> Meeting:
    """Record a meeting of `org`. A meeting already held may not be dated in the future;
    `scheduled=True` records an upcoming one, so that members can sign in by QR code when it
    takes place. Its hours are the tenant's rule for the kind unless `hours` is given; the
    credits are written when it is closed. A meeting of a `study_group` (kept by `org`, active)
    expects the group's members instead of the org's."""
    require_manage(actor, org)
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    if study_group is not None:
        if study_group.org_id != org.pk:
            errors["org"] = _("A study group meets as the organization that keeps it.")
        elif not study_group.active:
            errors["study_group"] = _("This study group is no longer active.")
        if kind in MeetingKind.values and kind not in GROUP_MEETING_KINDS:
            errors["kind"] = _(
                "A study group holds reading classes, lectures, report meetings or on-site "
                "teaching, not the meetings its members' branches must hold."
            )
    fields: dict[str, Any] = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "topic": topic or Topic.OTHER,
    }
    if hours is not None and hours != "":
        fields["hours"] = hours
    errors.update(_event_errors(fields))
    _check_text(errors, host, minutes)
    _check_not_future(errors, starts_at, scheduled)
    if errors:
        raise ValidationError(errors)
    _check_plan_item(plan_item, org)
    credit = credit_rule_for(org, kind)
    event = event_create(
        actor=actor,
        org=org,
        category=Event.Category.MEETING,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topic=fields["topic"],
        hours=fields.get("hours", credit.hours),
        credit_kind=LEDGER_KIND[kind],
        concentrated=credit.concentrated,
    )
    meeting = Meeting.objects.create(
        event=event,
        kind=kind,
        host=host.strip()[:100],
        minutes=clean_minutes(minutes),
        plan_item=plan_item,
        study_group=study_group,
        recorded_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor,
        verb="meeting.record",
        obj=meeting,
        org=org,
        after={**snapshot(meeting, MEETING_AUDIT), "scheduled": scheduled},
    )
    _notify_expected(actor=actor, meeting=meeting, moved=False)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event__org")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_update(
    *, actor: Actor, meeting: Meeting, scheduled: bool = False, **fields: Any
) -> Meeting:
    """Change a meeting: the event's title, times, place, topic and hours (while open), and the
    meeting's host, minutes and plan item (also once closed). Moving the start of a meeting held
    into the future needs `scheduled=True`, as when recording."""
    meeting = _locked(meeting)
    event = meeting.event
    require_manage(actor, event.org)
    unknown = set(fields) - set(EVENT_FIELDS) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    event_fields = {k: v for k, v in fields.items() if k in EVENT_FIELDS}
    if event_fields:
        # The minutes and host may still be completed after the hours were credited.
        require_open(event)
    errors = _event_errors({"starts_at": event.starts_at, "ends_at": event.ends_at, **event_fields})
    _check_text(errors, fields.get("host"), fields.get("minutes"))
    if "starts_at" in fields and fields["starts_at"] != event.starts_at:
        # A planned meeting (still in the future) may be moved within the future.
        _check_not_future(
            errors, fields["starts_at"], scheduled or event.starts_at > timezone.now()
        )
    if errors:
        raise ValidationError(errors)
    if "plan_item" in fields:
        _check_plan_item(fields["plan_item"], event.org)
    before = snapshot(meeting, MEETING_AUDIT)
    was = {name: getattr(event, name) for name in WHEN_AND_WHERE}
    if event_fields:
        event_update(actor=actor, event=event, **event_fields)
        event.refresh_from_db()
    if "host" in fields:
        meeting.host = fields["host"].strip()[:100]
    if "minutes" in fields:
        meeting.minutes = clean_minutes(fields["minutes"])
    if "plan_item" in fields:
        meeting.plan_item = fields["plan_item"]
    meeting.save()
    audit_record(
        actor=actor,
        verb="meeting.update",
        obj=meeting,
        org=event.org,
        before=before,
        after=snapshot(meeting, MEETING_AUDIT),
    )
    if any(getattr(event, name) != was[name] for name in WHEN_AND_WHERE):
        _notify_expected(actor=actor, meeting=meeting, moved=True)
    return meeting


@transaction.atomic
def meeting_close(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Close the meeting: each attending member is credited the meeting's hours (by the
    tenant's late/early rules), as the kind's ledger kind. Refused before it has ended."""
    event_close(actor=actor, event=meeting.event)
    meeting.event.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_reopen(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Reopen a closed meeting; its credits are reversed (never deleted)."""
    event_reopen(actor=actor, event=meeting.event, reason=reason)
    meeting.event.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_attachment_add(
    *, actor: Actor, meeting: Meeting, file: UploadedFile[Any] | None
) -> MeetingAttachment:
    """Attach a file (sign-in sheet, photos, materials) to a meeting, open or closed."""
    meeting = _locked(meeting)
    require_manage(actor, meeting.event.org)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError({"file": _("Upload a PDF, a picture, or a Word, WPS or Excel file.")})
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if not file.size:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = MeetingAttachment.objects.create(
        meeting=meeting,
        file=file,
        name=name[:200],
        uploaded_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor,
        verb="meeting.attach",
        obj=meeting,
        org=meeting.event.org,
        after={"attachment": attachment.name},
    )
    return attachment


@transaction.atomic
def meeting_attachment_remove(*, actor: Actor, attachment: MeetingAttachment) -> None:
    meeting = _locked(attachment.meeting)
    require_manage(actor, meeting.event.org)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=actor,
        verb="meeting.detach",
        obj=meeting,
        org=meeting.event.org,
        before={"attachment": name},
    )
