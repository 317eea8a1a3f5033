"""The closing checklist (结班): what must be true before a class's credits are written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Enrolment, TrainingClass
from ..registry import closing_blockers
from .classes import class_sessions, training_settings_of
from .closing import unmarked_by_event


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # roster | attendance | timetable | plan | sessions_ended
    label: str
    ok: bool
    detail: str


def _when(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    return formats.date_format(value, "Y-m-d")


def closing_checklist(
    training_class: TrainingClass, *, now: dt.datetime | None = None
) -> list[ChecklistItem]:
    """Each item of the checklist with whether it is met and a line saying why (or what is
    missing). Constant queries whatever the class's size."""
    now = now or timezone.now()
    sessions = list(class_sessions(training_class))
    ended = [s for s in sessions if s.event.ends_at <= now]
    items: list[ChecklistItem] = []

    trainees = Enrolment.objects.accepted().filter(training_class=training_class).count()
    pending = Enrolment.objects.filter(
        training_class=training_class, state=Enrolment.State.NOMINATED
    ).count()
    if training_class.roster_confirmed_at:
        detail = _("Confirmed %(when)s; %(n)s trainees.") % {
            "when": _when(training_class.roster_confirmed_at),
            "n": trainees,
        }
    elif pending:
        detail = _("Not confirmed; %(n)s nominations still wait for a decision.") % {"n": pending}
    else:
        detail = _("Not confirmed yet; %(n)s trainees accepted.") % {"n": trainees}
    items.append(
        ChecklistItem(
            "roster", _("Final roster confirmed"), bool(training_class.roster_confirmed_at), detail
        )
    )

    unmarked = unmarked_by_event(training_class, ended)
    if unmarked:
        detail = _("Not recorded: %(list)s.") % {
            "list": "；".join(
                _("%(session)s (%(n)s unmarked)")
                % {"session": s.event.title, "n": unmarked[s.event_id]}
                for s in ended
                if s.event_id in unmarked
            )
        }
    elif ended:
        detail = _("Recorded for every expected member of the %(n)s sessions held.") % {
            "n": len(ended)
        }
    else:
        detail = _("No session has been held yet.")
    items.append(
        ChecklistItem(
            "attendance",
            _("Attendance recorded for every session"),
            not unmarked and bool(ended),
            detail,
        )
    )

    if training_class.timetable_confirmed_at:
        detail = _("Confirmed %(when)s; %(n)s sessions.") % {
            "when": _when(training_class.timetable_confirmed_at),
            "n": len(sessions),
        }
    else:
        detail = _("Not confirmed yet.")
    items.append(
        ChecklistItem(
            "timetable",
            _("Final timetable confirmed"),
            bool(training_class.timetable_confirmed_at),
            detail,
        )
    )

    plan = training_class.plan_document
    items.append(
        ChecklistItem(
            "plan",
            _("Class plan document attached"),
            bool(plan),
            _("Attached: %(name)s.") % {"name": plan_file_name(training_class)}
            if plan
            else _("No document attached yet."),
        )
    )

    if not sessions:
        ok, detail = False, _("The class has no sessions.")
    elif len(ended) < len(sessions):
        ok = False
        detail = _("%(n)s sessions have not ended; the last ends %(when)s.") % {
            "n": len(sessions) - len(ended),
            "when": _when(max(s.event.ends_at for s in sessions)),
        }
    else:
        ok, detail = True, _("All %(n)s sessions have ended.") % {"n": len(sessions)}
    items.append(ChecklistItem("sessions_ended", _("All sessions have ended"), ok, detail))
    # What the apps above add (training.registry): each missing one is an unmet item.
    items.extend(
        ChecklistItem("registered", sentence, False, "")
        for sentence in closing_blockers(training_class)
    )
    return items


def plan_file_name(training_class: TrainingClass) -> str:
    name = training_class.plan_document.name or ""
    return name.rsplit("/", 1)[-1]


def close_due_on(training_class: TrainingClass) -> dt.date:
    days = training_settings_of(training_class.org).close_due_days
    return training_class.ends_on + dt.timedelta(days=days)


def close_is_late(training_class: TrainingClass, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) > close_due_on(training_class)


def missing_items(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.ok]


def describe_missing(items: list[Any]) -> str:
    return "；".join(
        f"{item.label}（{item.detail}）" if item.detail else item.label for item in items
    )
