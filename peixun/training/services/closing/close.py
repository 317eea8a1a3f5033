"""The writes of closing (结班): confirm the final roster and timetable, attach the class plan,
close the class (each session's event is closed, which credits the ledger) and reopen it
(each event is reopened, which reverses those credits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.events.models import Event
from peixun.events.services import event_close, event_reopen
from peixun.hours.services import EVIDENCE_SIGNATURES

from ...models import Enrolment, Session, TrainingClass
from ...selectors import class_credits
from ...selectors.checklist import (
    close_due_on,
    close_is_late,
    closing_checklist,
    describe_missing,
)
from ..makeup import makeups_settle, makeups_unsettle
from .leave import class_leave_flags_refresh

PLAN_TYPES = (".pdf", ".docx", ".doc")
MAX_PLAN_BYTES = 20 * 1024 * 1024


def _locked(training_class: TrainingClass) -> TrainingClass:
    return TrainingClass.objects.select_for_update().select_related("org").get(pk=training_class.pk)


def _require_running(training_class: TrainingClass) -> None:
    """Roster, timetable and plan are settled while the class is published and not closed."""
    state = training_class.state
    if state == TrainingClass.State.CLOSED:
        raise ValidationError({"state": _("This class is closed; reopen it to change it.")})
    if state == TrainingClass.State.DRAFT:
        raise ValidationError({"state": _("Publish the class first.")})
    if state == TrainingClass.State.CANCELLED:
        raise ValidationError({"state": _("This class was cancelled.")})


@transaction.atomic
def class_roster_confirm(*, actor: Actor, training_class: TrainingClass) -> TrainingClass:
    """Confirm the final roster: every nomination decided, at least one trainee accepted."""
    tc = _locked(training_class)
    require_manage(actor, tc.org)
    _require_running(tc)
    pending = Enrolment.objects.filter(training_class=tc, state=Enrolment.State.NOMINATED).count()
    if pending:
        raise ValidationError(
            {
                "roster": _(
                    "%(n)s nominations still wait for a decision: accept or return them first."
                )
                % {"n": pending}
            }
        )
    trainees = Enrolment.objects.accepted().filter(training_class=tc).count()
    if not trainees:
        raise ValidationError({"roster": _("No trainee has been accepted yet.")})
    before = {"roster_confirmed_at": tc.roster_confirmed_at}
    tc.roster_confirmed_at = timezone.now()
    tc.save(update_fields=["roster_confirmed_at"])
    audit_record(
        actor=actor,
        verb="training_class.roster_confirm",
        obj=tc,
        org=tc.org,
        before=before,
        after={"roster_confirmed_at": tc.roster_confirmed_at, "trainees": trainees},
    )
    return tc


@transaction.atomic
def class_timetable_confirm(*, actor: Actor, training_class: TrainingClass) -> TrainingClass:
    """Confirm the final timetable (the sessions as held)."""
    tc = _locked(training_class)
    require_manage(actor, tc.org)
    _require_running(tc)
    sessions = Session.objects.filter(training_class=tc).count()
    if not sessions:
        raise ValidationError({"timetable": _("The class has no sessions.")})
    before = {"timetable_confirmed_at": tc.timetable_confirmed_at}
    tc.timetable_confirmed_at = timezone.now()
    tc.save(update_fields=["timetable_confirmed_at"])
    audit_record(
        actor=actor,
        verb="training_class.timetable_confirm",
        obj=tc,
        org=tc.org,
        before=before,
        after={"timetable_confirmed_at": tc.timetable_confirmed_at, "sessions": sessions},
    )
    return tc


def check_plan_file(file: UploadedFile[Any] | None) -> None:
    if file is None:
        raise ValidationError({"plan": _("Choose the class plan document to upload.")})
    name = (file.name or "").lower()
    if not name.endswith(PLAN_TYPES):
        raise ValidationError({"plan": _("Upload the plan as a PDF or Word document.")})
    if not file.size:
        raise ValidationError({"plan": _("The file is empty.")})
    if file.size > MAX_PLAN_BYTES:
        raise ValidationError({"plan": _("The file is larger than 20 MB.")})
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    suffix = name[name.rfind(".") :]
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise ValidationError({"plan": _("The file's content is not the type its name says.")})


@transaction.atomic
def class_plan_attach(
    *, actor: Actor, training_class: TrainingClass, file: UploadedFile[Any] | None
) -> TrainingClass:
    """Attach (or replace) the class plan document (培训方案): PDF, .docx or .doc."""
    tc = _locked(training_class)
    require_manage(actor, tc.org)
    _require_running(tc)
    check_plan_file(file)
    before = {"plan_document": tc.plan_document.name or ""}
    tc.plan_document = file
    tc.save(update_fields=["plan_document"])
    audit_record(
        actor=actor,
        verb="training_class.plan_attach",
        obj=tc,
        org=tc.org,
        before=before,
        after={"plan_document": tc.plan_document.name},
    )
    return tc


def _session_events(tc: TrainingClass) -> list[Event]:
    return [
        s.event
        for s in Session.objects.filter(training_class=tc)
        .select_related("event")
        .order_by("event__starts_at", "id")
    ]


def closing_date(tc: TrainingClass, decided_on: dt.date | None) -> dt.date:
    """The date a closing carries: `decided_on` when given (not before the class's first day,
    not in the future), else the class's last day, or today when that is still to come."""
    today = timezone.localdate()
    if decided_on is None:
        return min(tc.ends_on, today)
    if decided_on > today:
        raise ValidationError({"decided_on": _("The date of closing cannot be in the future.")})
    if decided_on < tc.starts_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "The date of closing cannot be before the class's first day, %(day)s."
                )
                % {"day": tc.starts_on.isoformat()}
            }
        )
    return decided_on


@transaction.atomic
def class_close(
    *,
    actor: Actor,
    training_class: TrainingClass,
    late_note: str = "",
    decided_on: dt.date | None = None,
) -> TrainingClass:
    """Close the class: refused unless the checklist is complete (and, past the due date, a
    note says why it is late). The closing and the certificates are dated `decided_on` (from
    the class's first day to today), else the class's last day, or today while it is still
    running: never silently today for a class that ended long ago. Each session's event is closed, crediting every member who
    attended it (late arrival and early leave as the tenant's attendance settings say, with the
    event's concentrated flag); make-ups attended here become done. All or nothing."""
    tc = _locked(training_class)
    require_manage(actor, tc.org)
    if tc.state == TrainingClass.State.CLOSED:
        raise ValidationError({"state": _("This class is already closed.")})
    _require_running(tc)
    missing = [item for item in closing_checklist(tc) if not item.ok]
    if missing:
        raise ValidationError(
            {
                "checklist": _(
                    "The class cannot be closed until the checklist is complete. Missing: "
                    "%(items)s."
                )
                % {"items": describe_missing(missing)}
            }
        )
    late_note = (late_note or "").strip()
    late = close_is_late(tc)
    if late and not late_note:
        raise ValidationError(
            {
                "late_note": _(
                    "The class was due to be closed by %(due)s; give a note on why it is "
                    "closed late."
                )
                % {"due": close_due_on(tc).isoformat()}
            }
        )
    if len(late_note) > 300:
        raise ValidationError({"late_note": _("At most 300 characters.")})
    closed_on = closing_date(tc, decided_on)
    # The flags are recomputed first: a QR sign-in after a leave decision does not report.
    class_leave_flags_refresh(tc, actor=actor)
    events = _session_events(tc)
    for event in events:
        if event.state == Event.State.OPEN:
            event_close(
                actor=actor,
                event=event,
                title=f"{tc.title} · {event.title}"[:200],
                by_owner=True,
            )
    done = makeups_settle([e.pk for e in events])
    tc.state = TrainingClass.State.CLOSED
    tc.closed_at = timezone.now()
    tc.closed_on = closed_on
    tc.closed_by_id = actor_id(actor)
    tc.late_close_note = late_note if late else ""
    tc.save(update_fields=["state", "closed_at", "closed_on", "closed_by", "late_close_note"])
    credits = class_credits(tc)
    audit_record(
        actor=actor,
        verb="training_class.close",
        obj=tc,
        org=tc.org,
        before={"state": TrainingClass.State.PUBLISHED},
        after={
            "state": tc.state,
            "closed_on": closed_on.isoformat(),
            "late_close_note": tc.late_close_note,
            "members_credited": len(credits),
            "hours_credited": sum(credits.values()),
            "makeups_done": done,
        },
    )
    return tc


@transaction.atomic
def class_reopen(*, actor: Actor, training_class: TrainingClass, reason: str) -> TrainingClass:
    """Reopen a closed class: every session's event is reopened, its credits reversed by
    reversing entries; make-ups done here are assigned again; the class is published again."""
    tc = _locked(training_class)
    require_manage(actor, tc.org)
    if tc.state != TrainingClass.State.CLOSED:
        raise ValidationError({"state": _("This class is not closed.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    events = _session_events(tc)
    reopened = 0
    for event in events:
        if event.state == Event.State.CLOSED:
            event_reopen(actor=actor, event=event, reason=reason, by_owner=True)
            reopened += 1
    undone = makeups_unsettle([e.pk for e in events])
    before = {"state": tc.state, "closed_at": tc.closed_at, "late_close_note": tc.late_close_note}
    tc.state = TrainingClass.State.PUBLISHED
    tc.closed_at = None
    tc.closed_on = None
    tc.closed_by = None
    tc.late_close_note = ""
    tc.save(update_fields=["state", "closed_at", "closed_on", "closed_by", "late_close_note"])
    audit_record(
        actor=actor,
        verb="training_class.reopen",
        obj=tc,
        org=tc.org,
        before=before,
        after={
            "state": tc.state,
            "reason": reason,
            "sessions_reopened": reopened,
            "makeups_reassigned": undone,
        },
    )
    return tc
