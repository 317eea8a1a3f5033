"""QR sign-in and sign-out: a member scans the projector's rotating code with a phone.

The checks run in a fixed order and each failure has a machine code (`SigninError.code`), which
the phone page turns into one plain sentence and the API returns as `detail[0].code`:

    anonymous     not logged in                     no_member   the account is no member's
    closed        the event is closed (credited)    malformed   not a sign-in code at all
    wrong_event   another event's code              expired     the code is too old: scan again
    not_open      the sign-in window is not open    ended       the event has ended
    not_enrolled  the member is not expected here
    (sign-out only) no_signout: the event takes no sign-out; not_signed_in: sign in first

A member already signed in gets their row back whatever the code says (scanning again changes
nothing). A row the organiser set to absent or on leave becomes present on a real sign-in: the
rotating code proves the member is in the room, which outweighs an earlier mark.

Cost: a sign-in burst must not queue on the database, so a scan reads the event settings (with
the event, `event_settings_of`), the member's row and (for a new row) whether the member is expected, outside any transaction, and
then writes the row and one AuditEvent in one short transaction (SQLite's IMMEDIATE mode takes
the write lock only there; on PostgreSQL, `core.audit.audit_insert` makes it one statement). Concurrent scans of one member race on the unique constraint
`attendance_once_per_event`; the loser reads the winner's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_insert, audit_record
from peixun.core.prepared import PreparedInsert
from peixun.core.scoping import Actor, scope_of

from .. import registry
from ..logic import TokenError, check_signin_token
from ..models import SIGNED_IN, Attendance, Event, EventSettings
from ..selectors import event_settings_of, member_row

# The first sign-in's INSERT, written once per process (a burst runs it for every member).
_INSERT_ROW: PreparedInsert[Attendance] = PreparedInsert(Attendance)
# Rows a real sign-in replaces: the organiser's marks made before the member turned up.
REPLACEABLE = (Attendance.Status.ABSENT, Attendance.Status.LEAVE)
SIGNIN_AUDIT = ["event_id", "member_id", "status", "method", "signed_in_at", "signed_out_at"]


class SigninError(ValidationError):
    """A sign-in (or sign-out) refused: `code` for machines, `message` for people.

    A ValidationError on the field "token", so that forms and the API's generic handler show it
    like any other bad input; the events API adds `code` to its 422 answer.
    """

    code: str  # type: ignore[assignment]  # always set, unlike ValidationError's
    message: str  # type: ignore[assignment]

    def __init__(self, code: str, message: str) -> None:
        super().__init__({"token": ValidationError(message, code=code)})
        self.code = code
        self.message = message


def _local_time(when: dt.datetime) -> str:
    return formats.time_format(timezone.localtime(when), "H:i")


def _local_datetime(when: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(when), "Y-m-d H:i")


def signin_opens_at(event: Event, rules: EventSettings) -> dt.datetime:
    return event.starts_at - dt.timedelta(minutes=rules.signin_opens_minutes)


def late_from(event: Event, rules: EventSettings) -> dt.datetime:
    """Signing in after this is late."""
    return event.starts_at + dt.timedelta(minutes=rules.late_after_minutes)


def signout_until(event: Event, rules: EventSettings) -> dt.datetime:
    # Sign-out stays open after the end as long as sign-in opened before the start: people
    # queue at the door when a session ends.
    return event.ends_at + dt.timedelta(minutes=rules.signin_opens_minutes)


def early_before(event: Event, rules: EventSettings) -> dt.datetime:
    """Signing out before this is leaving early."""
    return event.ends_at - dt.timedelta(minutes=rules.late_after_minutes)


def _member_id(actor: Actor) -> int:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise SigninError("anonymous", _("Log in first, then scan the code again."))
    member_id = getattr(actor, "member_id", None)
    if not member_id:
        raise SigninError(
            "no_member",
            _("Your account is not linked to a Party member, so it cannot sign in."),
        )
    return int(member_id)


def _check_token(event: Event, token: str, rules: EventSettings, now: dt.datetime) -> None:
    try:
        check_signin_token(event, token, rules, now=now.timestamp())
    except TokenError as problem:
        messages = {
            "malformed": _("This is not a sign-in code. Scan the code on the screen."),
            "wrong_event": _(
                "This code is not this event's. Scan the code shown at the event you attend."
            ),
            "expired": _("The code has expired. Scan the code on the screen again."),
        }
        raise SigninError(problem.code, messages[problem.code]) from None


def _check_window(event: Event, rules: EventSettings, now: dt.datetime) -> None:
    opens = signin_opens_at(event, rules)
    if now < opens:
        raise SigninError(
            "not_open",
            _("Sign-in has not started yet; it opens at %(time)s.")
            % {"time": _local_datetime(opens)},
        )
    if now > event.ends_at:
        raise SigninError("ended", _("Sign-in has ended: the event is over."))


@dataclass
class _Checked:
    row: Attendance | None  # the member's row: signed in already, or a mark a scan replaces
    rules: EventSettings | None  # None when the member had signed in already (not read)


def _checks(*, actor: Actor, event: Event, token: str, now: dt.datetime) -> _Checked:
    member_id = _member_id(actor)
    if event.state == Event.State.CLOSED:
        raise SigninError(
            "closed", _("This event is closed and its hours credited; sign-in is over.")
        )
    row = member_row(event, member_id)
    if row is not None and row.status in SIGNED_IN:
        return _Checked(row, None)
    rules = event_settings_of(event)
    _check_token(event, token, rules, now)
    _check_window(event, rules, now)
    if row is None and not registry.member_expected(event, member_id):
        raise SigninError(
            "not_enrolled",
            _("You are not on the list of this event. Ask the organiser if you should be."),
        )
    return _Checked(row, rules)


def signin_preflight(
    *, actor: Actor, event: Event, token: str, now: dt.datetime | None = None
) -> Attendance | None:
    """Every check of a sign-in, writing nothing: the member's row when already signed in, None
    when a sign-in would succeed; raises SigninError otherwise. The phone page runs it on GET."""
    checked = _checks(actor=actor, event=event, token=token, now=now or timezone.now())
    return checked.row if checked.rules is None else None


def attendance_signin(
    *, actor: Actor, event: Event, token: str, now: dt.datetime | None = None
) -> tuple[Attendance, bool]:
    """Sign the actor's member in to `event` with a projector token.

    Returns (row, created): created is True when this call recorded the sign-in, False when the
    member had already signed in (the row is returned unchanged).
    """
    now = now or timezone.now()
    checked = _checks(actor=actor, event=event, token=token, now=now)
    if checked.rules is None:
        assert checked.row is not None
        return checked.row, False
    member_id = scope_of(actor).member_id
    assert member_id is not None  # _checks refused an actor without a member
    late = now > late_from(event, checked.rules)
    status = Attendance.Status.LATE if late else Attendance.Status.PRESENT
    if checked.row is not None:
        # The organiser marked the member absent or on leave before they turned up.
        with transaction.atomic():
            replaced = (
                Attendance.objects.select_for_update()
                .filter(pk=checked.row.pk, status__in=REPLACEABLE)
                .first()
            )
            if replaced is not None:
                return _replace_mark(actor, event, replaced, status, now), True
        return Attendance.objects.get(pk=checked.row.pk), False
    row = Attendance(
        event=event,
        member_id=member_id,
        status=status,
        method=Attendance.Method.QR,
        signed_in_at=now,
    )
    try:
        # The row and its audit event, nothing else: one short write transaction (on
        # PostgreSQL one statement).
        audit_insert(
            row,
            _INSERT_ROW,
            actor=actor,
            verb="attendance.signin",
            org=event.org,
            after={"status": status, "method": Attendance.Method.QR, "signed_in_at": now},
        )
    except IntegrityError:
        # Another scan of the same member (or the organiser's mark) won the race: it stands.
        won = member_row(event, member_id)
        if won is None:  # pragma: no cover - the constraint named a row that is not there
            raise
        return won, False
    return row, True


def _replace_mark(
    actor: Actor, event: Event, row: Attendance, status: str, now: dt.datetime
) -> Attendance:
    before = {"status": row.status, "method": row.method, "note": row.note}
    was_leave = row.status == Attendance.Status.LEAVE
    row.status = status
    row.method = Attendance.Method.QR
    row.signed_in_at = now
    row.marked_by = None
    row.save(update_fields=["status", "method", "signed_in_at", "marked_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="attendance.signin",
        obj=row,
        org=event.org,
        before=before,
        after={"status": status, "method": row.method, "signed_in_at": now},
    )
    if was_leave:
        # Leave counts toward the 1/7 limit of a full-time class: it just went down.
        registry.attendance_changed(event)
    return row


def attendance_signout(
    *, actor: Actor, event: Event, token: str, now: dt.datetime | None = None
) -> tuple[Attendance, bool]:
    """Sign the actor's member out of an event that requires sign-out.

    Leaving before the end (less `late_after_minutes`) turns the row into "left early". Returns
    (row, changed): a second sign-out changes nothing and returns changed=False.
    """
    now = now or timezone.now()
    member_id = _member_id(actor)
    if event.state == Event.State.CLOSED:
        raise SigninError(
            "closed", _("This event is closed and its hours credited; sign-out is over.")
        )
    if not event.signout_required:
        raise SigninError("no_signout", _("This event does not take a sign-out."))
    row = member_row(event, member_id)
    if row is not None and row.signed_out_at is not None:
        return row, False
    rules = event_settings_of(event)
    _check_token(event, token, rules, now)
    if row is None or row.status not in SIGNED_IN:
        raise SigninError("not_signed_in", _("You have not signed in to this event."))
    if now > signout_until(event, rules):
        raise SigninError("ended", _("Sign-out has ended."))
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().get(pk=row.pk)
        if locked.signed_out_at is not None:
            return locked, False
        before = {"status": locked.status, "signed_out_at": None}
        locked.signed_out_at = now
        if now < early_before(event, rules):
            locked.status = Attendance.Status.LEFT_EARLY
        locked.save(update_fields=["status", "signed_out_at", "updated_at"])
        audit_record(
            actor=actor,
            verb="attendance.signout",
            obj=locked,
            org=event.org,
            before=before,
            after={"status": locked.status, "signed_out_at": now},
        )
    return locked, True


def signin_outcome_text(row: Attendance, created: bool) -> str:
    """The sentence the phone shows after a scan."""
    if row.signed_in_at is None:
        # Marked present by the organiser, not scanned.
        return _("The organiser has already recorded you as %(status)s.") % {
            "status": row.get_status_display()
        }
    time = _local_time(row.signed_in_at)
    if not created:
        return _("Already signed in at %(time)s; no need to scan again.") % {"time": time}
    if row.status == Attendance.Status.LATE:
        return _("Signed in at %(time)s (late).") % {"time": time}
    return _("Signed in at %(time)s.") % {"time": time}


def signout_outcome_text(row: Attendance, changed: bool) -> str:
    time = _local_time(row.signed_out_at) if row.signed_out_at else "—"
    if not changed:
        return _("Already signed out at %(time)s.") % {"time": time}
    if row.status == Attendance.Status.LEFT_EARLY:
        return _("Signed out at %(time)s, before the end: recorded as leaving early.") % {
            "time": time
        }
    return _("Signed out at %(time)s.") % {"time": time}
