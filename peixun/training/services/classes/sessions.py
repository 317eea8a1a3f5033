"""A class's curriculum: each session is an `events.Event` of category "session"."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.events.models import Attendance, Event, LeaveRequest
from peixun.events.services import clean_event_fields, event_create, event_update
from peixun.resources.selectors.teachers import teachers_for_org

from ...models import (
    MakeUp,
    Session,
    SessionType,
    TrainingClass,
)
from .build import credit_kind_of, locked_class, require_editable

SESSION_EVENT_FIELDS = ["title", "starts_at", "ends_at", "hours", "topic", "place"]
SESSION_FIELDS = [*SESSION_EVENT_FIELDS, "type", "teacher", "pool_teacher_id", "signout_required"]

# -- sessions ------------------------------------------------------------------------------------


def clean_session_fields(
    training_class: TrainingClass, data: dict[str, Any], *, partial_of: Session | None = None
) -> dict[str, Any]:
    """Validate a session's fields (the event's with the events layer's own rules, and the
    class's: type, teacher, within the class's dates); every problem is reported at once."""
    errors: dict[str, str] = {}
    event_data = {k: v for k, v in data.items() if k in SESSION_EVENT_FIELDS}
    if partial_of is not None:
        event_data.setdefault("starts_at", partial_of.event.starts_at)
        event_data.setdefault("ends_at", partial_of.event.ends_at)
    cleaned: dict[str, Any] = dict(event_data)
    try:
        cleaned = clean_event_fields(event_data)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if "title" in errors:
        errors["title"] = _("Give the session a title.")
    if "type" in data and data["type"] not in SessionType.values:
        errors["type"] = _("Choose the type of session.")
    if "teacher" in data:
        cleaned["teacher"] = str(data["teacher"] or "").strip()[:100]
    if "pool_teacher_id" in data:
        # A teacher from the 师资库 open to the organiser and still in the pool (a session keeps
        # the one it has even after they left); their name becomes the session's text.
        pool_id = data["pool_teacher_id"]
        current = partial_of.pool_teacher_id if partial_of is not None else None
        if pool_id in (None, "", 0):
            cleaned["pool_teacher_id"] = None
        else:
            chosen = (
                teachers_for_org(training_class.org, include=current).filter(pk=pool_id).first()
            )
            if chosen is None:
                errors["pool_teacher_id"] = _("Choose a teacher of the pool open to the organiser.")
            else:
                cleaned["pool_teacher_id"] = chosen.pk
                cleaned["teacher"] = chosen.name
    if "signout_required" in data:
        cleaned["signout_required"] = bool(data["signout_required"])
    if "type" in data:
        cleaned["type"] = data["type"]
    starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
    if (
        isinstance(starts, dt.datetime)
        and isinstance(ends, dt.datetime)
        and "starts_at" not in errors
    ):
        first, last = timezone.localdate(starts), timezone.localdate(ends)
        if first < training_class.starts_on or last > training_class.ends_on:
            errors["starts_at"] = _(
                "The session must fall within the class's dates, %(first)s to %(last)s."
            ) % {"first": training_class.starts_on, "last": training_class.ends_on}
        else:
            clash = _overlapping(training_class, starts, ends, partial_of)
            if clash is not None:
                errors["starts_at"] = _(
                    "The session overlaps “%(title)s” (%(when)s) of this class."
                ) % {
                    "title": clash.event.title,
                    "when": timezone.localtime(clash.event.starts_at).strftime("%Y-%m-%d %H:%M"),
                }
        hours = cleaned.get("hours", partial_of.event.hours if partial_of else None)
        if isinstance(hours, Decimal) and "hours" not in errors:
            limit = _max_hours(starts, ends)
            if hours > limit:
                errors["hours"] = _(
                    "A session of %(minutes)s minutes earns at most %(limit)s study hours "
                    "(one study hour is at least 45 minutes)."
                ) % {"minutes": int((ends - starts).total_seconds() // 60), "limit": limit}
    if errors:
        raise ValidationError(errors)
    return cleaned


# One study hour (学时) is a class period of at least 45 minutes; a session cannot earn more.
MINUTES_PER_STUDY_HOUR = 45


def _max_hours(starts: dt.datetime, ends: dt.datetime) -> Decimal:
    minutes = Decimal(int((ends - starts).total_seconds() // 60))
    quarters = (minutes / MINUTES_PER_STUDY_HOUR * 4).to_integral_value(rounding=ROUND_CEILING)
    return quarters / 4


def _overlapping(
    training_class: TrainingClass,
    starts: dt.datetime,
    ends: dt.datetime,
    editing: Session | None,
) -> Session | None:
    """Another session of the class whose time overlaps [starts, ends)."""
    others = Session.objects.filter(
        training_class=training_class, event__starts_at__lt=ends, event__ends_at__gt=starts
    ).select_related("event")
    if editing is not None:
        others = others.exclude(pk=editing.pk)
    return others.order_by("event__starts_at").first()


def _session_snapshot(session: Session) -> dict[str, Any]:
    event = session.event
    return {
        "training_class": session.training_class_id,
        "event": event.pk,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "hours": event.hours,
        "topic": event.topic,
        "place": event.place,
        "type": session.type,
        "teacher": session.teacher,
        "pool_teacher": session.pool_teacher_id,
        "signout_required": event.signout_required,
    }


@transaction.atomic
def session_add(
    *,
    actor: Actor,
    training_class: TrainingClass,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    hours: Any,
    topic: str,
    type: str,  # noqa: A002 - the model's field name
    teacher: str = "",
    pool_teacher_id: int | None = None,
    place: str = "",
    signout_required: bool = False,
) -> Session:
    """Add a session to the curriculum: an event of category "session" organised by the class's
    organiser, concentrated, credited as concentrated (or online) training."""
    training_class = locked_class(training_class)
    require_manage(actor, training_class.org)
    require_editable(training_class)
    clean = clean_session_fields(
        training_class,
        {
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "hours": hours,
            # A session's topic defaults to the class's main topic.
            "topic": topic or training_class.topic,
            "place": place,
            "type": type,
            "teacher": teacher,
            "pool_teacher_id": pool_teacher_id,
            "signout_required": signout_required,
        },
    )
    credit_kind, online = credit_kind_of(training_class)
    event = event_create(
        actor=actor,
        org=training_class.org,
        category=Event.Category.SESSION,
        title=clean["title"],
        starts_at=clean["starts_at"],
        ends_at=clean["ends_at"],
        hours=clean["hours"],
        topic=clean["topic"],
        place=clean["place"] or training_class.venue,
        credit_kind=credit_kind,
        concentrated=True,
        online=online,
        signout_required=clean["signout_required"],
    )
    session = Session.objects.create(
        training_class=training_class,
        event=event,
        type=clean["type"],
        teacher=clean["teacher"],
        pool_teacher_id=clean["pool_teacher_id"],
    )
    _timetable_changed(training_class)
    audit_record(
        actor=actor,
        verb="training_session.add",
        obj=session,
        org=training_class.org,
        after=_session_snapshot(session),
    )
    return session


def _timetable_changed(training_class: TrainingClass) -> None:
    """A changed curriculum is no longer the timetable the organiser confirmed as final."""
    if training_class.timetable_confirmed_at is not None:
        training_class.timetable_confirmed_at = None
        training_class.save(update_fields=["timetable_confirmed_at"])


def _locked_session(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("event").get(pk=session.pk)


@transaction.atomic
def session_update(*, actor: Actor, session: Session, **fields: Any) -> Session:
    """Change a session of a draft or published class. Fields: see `SESSION_FIELDS`."""
    training_class = locked_class(session.training_class)
    session = _locked_session(session)
    require_manage(actor, training_class.org)
    require_editable(training_class)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    clean = clean_session_fields(training_class, fields, partial_of=session)
    before = _session_snapshot(session)
    event_fields = {
        name: clean[name] for name in [*SESSION_EVENT_FIELDS, "signout_required"] if name in fields
    }
    if event_fields:
        event_update(actor=actor, event=session.event, **event_fields)
        session.event.refresh_from_db()
    for name in ("type", "teacher", "pool_teacher_id"):
        if name in fields or (name == "teacher" and "pool_teacher_id" in fields):
            setattr(session, name, clean.get(name, getattr(session, name)))
    session.save()
    _timetable_changed(training_class)
    audit_record(
        actor=actor,
        verb="training_session.update",
        obj=session,
        org=training_class.org,
        before=before,
        after=_session_snapshot(session),
    )
    return session


@transaction.atomic
def session_remove(*, actor: Actor, session: Session) -> None:
    """Remove a session that nobody has attended, asked leave for or been assigned to make up;
    its event goes with it."""
    training_class = locked_class(session.training_class)
    session = _locked_session(session)
    require_manage(actor, training_class.org)
    require_editable(training_class)
    event = session.event
    if Attendance.objects.filter(event=event).exists():
        raise ValidationError(
            {"session": _("Attendance has been recorded for this session; it cannot be removed.")}
        )
    live_leave = LeaveRequest.objects.filter(
        event=event, state__in=[LeaveRequest.State.PENDING, LeaveRequest.State.APPROVED]
    )
    if live_leave.exists():
        raise ValidationError(
            {"session": _("Members have asked for leave from this session; decide that first.")}
        )
    if (
        MakeUp.objects.filter(missed_event=event).exists()
        or MakeUp.objects.filter(assigned_event=event).exists()
    ):
        raise ValidationError(
            {"session": _("This session is on the make-up list; it cannot be removed.")}
        )
    before = _session_snapshot(session)
    session_pk = session.pk
    session.delete()
    event.delete()
    _timetable_changed(training_class)
    audit_record(
        actor=actor,
        verb="training_session.remove",
        object_type="training.session",
        object_id=str(session_pk),
        object_repr=before["title"],
        org=training_class.org,
        before=before,
    )
