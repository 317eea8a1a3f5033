"""Every service records what it did here; nothing else writes AuditEvent.

The trail is one hash chain (docs/audit.md): each event stores the SHA-256 of its own contents
and of the previous event's hash, computed while the chain's head row (`AuditChain`, pk 1) is
locked, so concurrent writers queue up and the chain stays a single line in id order.
`audit_verify` walks it; `audit_purge` drops events past the retention period and moves the
chain's start to the hash of the last event dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Field
from django.utils import timezone

from peixun.core.scoping import Actor, actor_id

from .context import current_address
from .models import GENESIS_HASH, AuditChain, AuditEvent
from .prepared import PreparedInsert, PreparedQuery, PreparedUpdate, bound_cursor

logger = logging.getLogger("peixun.audit")
M = TypeVar("M", bound=models.Model)

VERIFY_CHUNK = 5000
PURGE_CHUNK = 5000


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited state of `obj`: the named fields, foreign keys by id."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(obj, attname))
    return out


def build_event(
    *,
    actor: Actor | None,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEvent(
        at=timezone.now(),
        actor_id=actor_id(actor),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        org=org,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        address=current_address.get(),
    )


# -- the chain ------------------------------------------------------------------------------------


def _canonical_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_address(value: str | None) -> str | None:
    # The database may spell an address differently from how it was given (PostgreSQL's inet).
    return ipaddress.ip_address(value).compressed if value else None


def event_hash(event: Any, prev_hash: str) -> str:
    """SHA-256 (hex) over a canonical JSON of the event's recorded fields and `prev_hash`.

    Independent of the row's id, so the same event hashes the same before and after it is
    stored; `event` is an AuditEvent or a migration's historical model of it."""
    return hashlib.sha256(_canonical_text(event, prev_hash).encode()).hexdigest()


def _canonical_text(event: Any, prev_hash: str, *, object_id: str | None = None) -> str:
    body = {
        "at": _canonical_time(event.at),
        "actor": event.actor_id,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id if object_id is None else object_id,
        "object_repr": event.object_repr,
        "org": event.org_id,
        "before": event.before,
        "after": event.after,
        "address": _canonical_address(event.address),
        "prev": prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _text_around(event: Any, *fields: str) -> list[str]:
    """The canonical text `event_hash` hashes, cut where the named fields' values go (in the
    text's order: `object_id` before `prev`): the database puts the new row's id and the head's
    hash there (PostgreSQL's one-statement append)."""
    markers = {name: secrets.token_hex(32) for name in fields}  # no recorded field contains one
    text = _canonical_text(
        event, markers.get("prev", event.prev_hash), object_id=markers.get("object_id")
    )
    pieces: list[str] = []
    for name in fields:
        piece, found, text = text.partition(markers[name])
        if not found:  # pragma: no cover - the fields are named in the text's order
            raise ValueError(f"{name} is not where the text has it.")
        pieces.append(piece)
    return [*pieces, text]


# Every audited write reads the head: prepared once per process (see peixun.core.prepared).
_HEAD: PreparedQuery[AuditChain] = PreparedQuery(
    lambda pk: AuditChain.objects.select_for_update().filter(pk=pk), kinds=(int,), for_write=True
)


_INSERT_EVENT: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
_ADVANCE_HEAD: PreparedUpdate[AuditChain] = PreparedUpdate(
    AuditChain, ("last_hash", "last_event_id")
)


def _lock_head() -> AuditChain:
    """The chain's head row, locked until the caller's transaction ends.

    `select_for_update` makes PostgreSQL writers queue here; SQLite takes its one write lock at
    the start of every transaction (`transaction_mode` IMMEDIATE in settings). The row is made on
    the first use when the migration did not (a database created with --run-syncdb)."""
    head = _HEAD.first(1)
    if head is None:
        AuditChain.objects.get_or_create(pk=1)
        head = AuditChain.objects.select_for_update().get(pk=1)
    return head


def _chain(head: AuditChain, events: list[AuditEvent]) -> None:
    prev = head.last_hash
    for event in events:
        if not event._state.adding:
            raise ValueError("Only new audit events are chained.")
        event.at = event.at or timezone.now()
        event.object_repr = event.object_repr[:200]
        event.prev_hash = prev
        event.hash = prev = event_hash(event, prev)


# No savepoint of its own (savepoint=False): inside a service's transaction the audit event
# is part of that transaction, and a savepoint would only cost two more statements per write (a
# round trip each on PostgreSQL) to let a caller swallow a failed audit and carry on, which no
# caller may do. A failure here marks the whole transaction for rollback instead.
def _typed_value(field: Any, db: Any) -> str:
    """A parameter typed for `field`'s column: in a SELECT list PostgreSQL would take an untyped
    one as text. Strings stay text, so a value too long for its column fails as in any INSERT."""
    if isinstance(field, models.CharField | models.TextField):
        return "%s::text"
    return f"%s::{field.db_type(db)}"


def _insert_select(
    db: Any,
    table: str,
    fields: tuple[Field[Any, Any], ...],
    columns: list[str],
    expressions: list[str],
    sources: str,
    returning: str,
) -> str:
    """`INSERT … SELECT` of one row: its id drawn from the table's sequence, each field a typed
    parameter, then the named columns from SQL expressions, FROM `sources` (names from our
    models' meta; every value a parameter)."""
    quote = db.ops.quote_name
    names = [quote(field.column) for field in fields] + [quote(name) for name in columns]
    values = [_typed_value(field, db) for field in fields] + expressions
    return (
        f"INSERT INTO {quote(table)} (id, {', '.join(names)}) "  # noqa: S608
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')), {', '.join(values)} "
        f"FROM {sources} RETURNING {returning}"
    )


class _AppendInOneStatement:
    """PostgreSQL: lock the head, insert the event hashed against it and advance the head in one
    statement, instead of three round trips; `insert_and_append` inserts the row the event
    records in the same statement too.

    The head stays locked from the first step until the transaction commits, and every other
    audited write waits for it; as three statements, each one's round trip (and the scheduling
    of the process that sends the next, on a busy machine) was added to that wait. The database
    computes the same SHA-256 over the same text as `event_hash` (the text around the previous
    hash, and around the new row's id, comes from Python), and draws the ids only after the
    lock is held, so events' ids stay in chain order. Everything selects FROM the locked head:
    without a head row (a database made without migrations) nothing is written and None comes
    back, for the caller to take the ordinary way, which makes the head."""

    _FIELDS = (
        "at",
        "actor",
        "verb",
        "object_type",
        "object_id",
        "object_repr",
        "org",
        "before",
        "after",
        "address",
    )

    def __init__(self) -> None:
        self._sql: dict[tuple[str, Any], str] = {}
        self._fields: tuple[Field[Any, Any], ...] = tuple(
            cast("Field[Any, Any]", AuditEvent._meta.get_field(name)) for name in self._FIELDS
        )
        # With a row inserted alongside, object_id is the new row's id, written by the statement.
        self._fields_but_object_id = tuple(f for f in self._fields if f.name != "object_id")
        self._lock = threading.Lock()

    def append(self, event: AuditEvent, alias: str) -> AuditEvent | None:
        before, after = _text_around(event, "prev")
        found = self._run(alias, None, event, [], [before, after])
        return None if found is None else found[1]

    def insert_and_append(
        self, obj: M, inserter: PreparedInsert[M], event: AuditEvent
    ) -> tuple[M, AuditEvent] | None:
        alias, fields, values = inserter.bind(obj)
        first, middle, last = _text_around(event, "object_id", "prev")
        found = self._run(alias, fields, event, values, [first, middle, last])
        if found is None:
            return None
        return inserter.saved(obj, found[0], alias), found[1]

    def _run(
        self,
        alias: str,
        row_fields: tuple[Any, ...] | None,
        event: AuditEvent,
        row_values: list[Any],
        text: list[str],
    ) -> tuple[Any, AuditEvent] | None:
        db = connections[alias]
        key = (alias, row_fields[0].model if row_fields else None)
        sql = self._sql.get(key)
        if sql is None:
            with self._lock:
                sql = self._sql.setdefault(key, self._compile(db, row_fields))
        event.object_repr = event.object_repr[:200]
        fields = self._fields if row_fields is None else self._fields_but_object_id
        params = [field.get_db_prep_save(field.pre_save(event, True), db) for field in fields]
        with bound_cursor(alias) as cursor:
            cursor.execute(sql, [*row_values, *params, *text])
            found = cursor.fetchone()
        if found is None:
            return None
        row_pk, event.pk, event.prev_hash, event.hash = found
        if row_fields is not None:
            event.object_id = str(row_pk)
        event._state.adding = False
        event._state.db = alias
        return row_pk, event

    def _compile(self, db: Any, row_fields: tuple[Any, ...] | None) -> str:
        quote = db.ops.quote_name
        events, chain = AuditEvent._meta.db_table, AuditChain._meta.db_table
        # Names come from our models' meta; every value is a parameter.
        parts = [
            f"head AS MATERIALIZED (SELECT last_hash FROM {quote(chain)} WHERE id = 1 FOR UPDATE)"  # noqa: S608
        ]
        fields: tuple[Field[Any, Any], ...] = self._fields
        extra_columns: list[str] = []
        extra_values: list[str] = []
        hashed, joined, row_id = "%s::text || head.last_hash || %s::text", "", "NULL"
        if row_fields is not None:
            table = row_fields[0].model._meta.db_table
            row_insert = _insert_select(db, table, row_fields, [], [], "head", "id")
            parts.append(f"row AS ({row_insert})")
            fields = self._fields_but_object_id
            extra_columns, extra_values = ["object_id"], ["row.id::text"]
            hashed = "%s::text || row.id::text || %s::text || head.last_hash || %s::text"
            joined, row_id = ", row", "row.id"
        event_insert = _insert_select(
            db,
            events,
            fields,
            [*extra_columns, "prev_hash", "hash"],
            [
                *extra_values,
                "head.last_hash",
                f"encode(sha256(convert_to({hashed}, 'UTF8')), 'hex')",
            ],
            f"head{joined}",
            "id, prev_hash, hash",
        )
        parts.append(f"event AS ({event_insert})")
        return (
            f"WITH {', '.join(parts)} "  # noqa: S608
            f"UPDATE {quote(chain)} SET last_hash = event.hash, last_event_id = event.id "
            f"FROM event{joined} WHERE {quote(chain)}.id = 1 "
            f"RETURNING {row_id}, event.id, event.prev_hash, event.hash"
        )


_APPEND_IN_ONE = _AppendInOneStatement()


@transaction.atomic(savepoint=False)
def audit_record(**kwargs: Any) -> AuditEvent:
    event = build_event(**kwargs)
    alias = router.db_for_write(AuditEvent) or "default"
    if connections[alias].vendor == "postgresql":
        appended = _APPEND_IN_ONE.append(event, alias)
        if appended is not None:
            return appended
    return _append(event)


def _append(event: AuditEvent) -> AuditEvent:
    head = _lock_head()
    _chain(head, [event])
    # Inserted, never updated (`_chain` refused a saved event); both statements are written
    # once per process, as this runs inside every audited write's transaction.
    _INSERT_EVENT.insert(event)
    head.last_hash, head.last_event_id = event.hash, event.pk
    _ADVANCE_HEAD.update(head)
    return event


def audit_insert(obj: M, inserter: PreparedInsert[M], **kwargs: Any) -> AuditEvent:
    """Store the new row `obj` (through `inserter`) and the audit event that records it: both
    or neither. `kwargs` are `audit_record`'s but `obj` (it is `obj`); `str(obj)` must not need
    the row's id, which does not exist yet when the event is built.

    On PostgreSQL outside a transaction this is one statement, so one round trip instead of
    five (BEGIN, the row, the event, the head, COMMIT): a QR sign-in's write. Inside a
    transaction, the same statement under a savepoint, so a failure (a unique row another
    request won) leaves the caller's transaction usable; elsewhere, a transaction with the
    INSERT and `audit_record`."""
    alias = router.db_for_write(type(obj), instance=obj) or "default"
    db = connections[alias]
    if db.vendor == "postgresql" and router.db_for_write(AuditEvent) in (alias, None):
        event = build_event(obj=None, object_type=obj._meta.label_lower, **kwargs)
        event.object_repr = str(obj)
        with transaction.atomic(using=alias) if db.in_atomic_block else nullcontext():
            done = _APPEND_IN_ONE.insert_and_append(obj, inserter, event)
        if done is not None:
            return done[1]
    with transaction.atomic(using=alias):
        inserter.insert(obj)
        return audit_record(obj=obj, **kwargs)


@transaction.atomic(savepoint=False)
def audit_record_many(events: list[AuditEvent]) -> None:
    """Record many events in one go, chained in list order (one lock, bulk inserts)."""
    if not events:
        return
    head = _lock_head()
    _chain(head, events)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    last = events[-1]
    # bulk_create sets pks on PostgreSQL and SQLite; read it back where a backend does not.
    last_id = last.pk or AuditEvent.objects.filter(hash=last.hash).values_list("pk", flat=True)[0]
    head.last_hash, head.last_event_id = last.hash, last_id
    _ADVANCE_HEAD.update(head)


# -- verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None  # the first event that does not check out (None: the chain's end)
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


_VERIFY_FIELDS = (
    "id",
    "at",
    "actor_id",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "org_id",
    "before",
    "after",
    "address",
    "prev_hash",
    "hash",
)


def _events_in_chain_order(chunk: int) -> Iterator[AuditEvent]:
    """Every event in id order, read in keyset-paged chunks (memory stays flat)."""
    after = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(pk__gt=after).order_by("pk").only(*_VERIFY_FIELDS)[:chunk]
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].pk


def audit_verify(*, chunk: int = VERIFY_CHUNK) -> ChainReport:
    """Walk the chain from its start and report the first broken link.

    An edited row no longer hashes to its `hash`; a deleted or inserted row leaves the next
    event pointing at a hash that is not its predecessor's; rows missing from the end leave the
    head's hash unmatched."""
    head = AuditChain.objects.filter(pk=1).first() or AuditChain()
    expected_prev = head.start_hash
    previous_id: int | None = head.purged_through_id
    checked = 0
    for event in _events_in_chain_order(chunk):
        if event.prev_hash != expected_prev:
            where = f"after event {previous_id}" if previous_id else "at the chain's start"
            return ChainReport(
                checked,
                expected_prev,
                ChainBreak(
                    event.pk,
                    f"event {event.pk} does not follow the chain {where}: an event was deleted "
                    "or inserted there, or this one's link was changed",
                ),
            )
        if event_hash(event, event.prev_hash) != event.hash:
            return ChainReport(
                checked,
                expected_prev,
                ChainBreak(event.pk, f"event {event.pk} was changed after it was recorded"),
            )
        expected_prev = event.hash
        previous_id = event.pk
        checked += 1
    if expected_prev != head.last_hash:
        return ChainReport(
            checked,
            expected_prev,
            ChainBreak(
                None,
                f"the chain ends at event {previous_id} but its head records event "
                f"{head.last_event_id}: the newest events were deleted",
            ),
        )
    return ChainReport(checked, expected_prev, None)


# -- retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    through_id: int | None
    start_hash: str


def audit_purge(*, now: dt.datetime | None = None, chunk: int = PURGE_CHUNK) -> PurgeResult:
    """Delete the events older than PEIXUN_AUDIT_RETENTION_DAYS, oldest first, in chunks of
    their own transactions; after each chunk the chain starts at the hash of the last event
    deleted, so `audit_verify` passes throughout. The purge itself is recorded in the trail.

    Only the chain's prefix goes: the purge stops at the oldest event still inside the period,
    so an event with an out-of-order time never leaves a hole."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    first_kept = (
        AuditEvent.objects.filter(at__gte=cutoff).order_by("pk").values_list("pk", flat=True)
    ).first()
    if first_kept is None:
        # Everything is old: stop before any event recorded while the purge runs.
        newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        first_kept = (newest or 0) + 1
    purged = 0
    through_id: int | None = None
    start_hash = GENESIS_HASH
    while True:
        with transaction.atomic():
            head = _lock_head()
            older = AuditEvent.objects.filter(pk__lt=first_kept).order_by("pk")
            ids_hashes = list(older.values_list("pk", "hash")[:chunk])
            start_hash = head.start_hash
            if not ids_hashes:
                break
            last_id, last_hash = ids_hashes[-1]
            purged += AuditEvent.objects.filter(pk__lte=last_id)._purge()
            head.start_hash, head.purged_through_id = last_hash, last_id
            head.purged_at = timezone.now()
            head.save(update_fields=["start_hash", "purged_through_id", "purged_at"])
            through_id, start_hash = last_id, last_hash
    if purged:
        audit_record(
            actor=None,
            verb="audit.purge",
            object_repr=str(purged),
            after={
                "purged": purged,
                "through_event": through_id,
                "cutoff": cutoff,
                "start_hash": start_hash,
            },
        )
        logger.info("audit purge: %s events through %s", purged, through_id)
    return PurgeResult(purged, through_id, start_hash)
