"""Applying a checked batch: an idempotent upsert of one record per (source, period, member)
and the ledger kept in step through reversals and new entries. Run by the worker
(`learning.tasks.import_apply`), in one transaction: all of it is applied, or none.

The same file applied twice finds every record as it is and writes nothing. A corrected file
changes the records it corrects: where what a record credits changes, the standing ledger
entry is reversed (`hours.services.reversal_of`) and a new one recorded (`entries_record_bulk`, one audit
event for the file's new entries), each
entry's reference naming the source and the period (its member names the person). Records the file does not
mention are left as they are (a platform may export a branch at a time).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, audit_record_many, build_event, snapshot
from peixun.core.forms import error_text
from peixun.core.scoping import Actor
from peixun.hours.models import CreditEntry, Kind
from peixun.hours.services import ENTRY_AUDIT, entries_record_bulk, reversal_of, rollup_apply
from peixun.members.models import Member

from ...models.imports import ExternalRecord, ImportBatch, ImportLine
from .check import credited_hours, ledger_day


def entry_reference(source_id: int, period: str) -> str:
    """The ledger reference of a source's credits for a period; with the entry's member it names
    source + period + person (one standing entry each, as `ExternalRecord.entry` holds)."""
    return f"learning.ext:{source_id}:{period}"


def entry_title(batch: ImportBatch) -> str:
    # Ledger titles are data in Chinese, as the platforms name their own exports.
    return f"{batch.source.name}（{batch.period}）"


def _reverse(actor: Actor, entry_ids: list[int], reason: str) -> None:
    standing = list(
        CreditEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=entry_ids, reversed_by__isnull=True, state=CreditEntry.State.CONFIRMED)
        .select_related("member__org")
    )
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


@transaction.atomic
def _apply(actor: Actor, batch: ImportBatch) -> dict[str, int]:
    source, period = batch.source, batch.period
    sums: dict[int, dict[str, Any]] = {}
    for member_id, hours, points, raw in batch.lines.filter(
        state=ImportLine.State.MATCHED, member__isnull=False
    ).values_list("member_id", "hours", "points", "raw"):
        got = sums.get(member_id)
        if got is None:
            sums[member_id] = {"hours": hours, "points": points, "raw": raw}
        else:  # a picked line naming a member matched elsewhere in the file
            got["hours"] += hours
            if points is not None:
                got["points"] = points + (got["points"] or 0)
    stored = {
        r.member_id: r
        for r in ExternalRecord.objects.select_for_update(of=("self",))
        .filter(source=source, period=period)
        .select_related("entry")
        if r.member_id in sums
    }
    creates: list[ExternalRecord] = []
    updates: list[ExternalRecord] = []
    to_reverse: list[int] = []
    to_credit: dict[int, Decimal] = {}  # member → the hours their new entry credits
    unchanged = 0
    for member_id, got in sums.items():
        credit = credited_hours(got["hours"])
        record = stored.get(member_id)
        if record is None:
            record = ExternalRecord(
                source=source,
                period=period,
                member_id=member_id,
                hours=got["hours"],
                points=got["points"],
                batch=batch,
                raw=got["raw"],
            )
            creates.append(record)
            if credit > 0:
                to_credit[member_id] = credit
            continue
        if (record.hours, record.points) == (got["hours"], got["points"]):
            unchanged += 1
            continue
        standing = record.entry.hours if record.entry else Decimal(0)
        if standing != credit:
            if record.entry_id:
                to_reverse.append(record.entry_id)
            record.entry = None
            if credit > 0:
                to_credit[member_id] = credit
        record.hours, record.points, record.raw = got["hours"], got["points"], got["raw"]
        record.batch = batch
        record.updated_at = timezone.now()
        updates.append(record)
    reason = _("Corrected by the import of %(file)s") % {"file": batch.filename}
    _reverse(actor, to_reverse, reason)
    members = Member.objects.select_related("org").in_bulk(list(to_credit))
    day = ledger_day(period)
    # One bulk write for the whole file: a county's year is tens of thousands of lines.
    new_entries = {
        entry.member_id: entry
        for entry in (
            entries_record_bulk(
                actor=actor,
                entries=[(members[m], hours) for m, hours in to_credit.items()],
                on=day,
                year=day.year,
                kind=Kind.EXTERNAL_PLATFORM,
                online=True,
                title=entry_title(batch),
                source=CreditEntry.Source.IMPORT,
                reference=entry_reference(source.pk, period),
                org=source.org,
            )
            if to_credit
            else []
        )
    }
    for record in [*creates, *updates]:
        credited = new_entries.get(record.member_id)
        if credited is not None:
            record.entry = credited
    ExternalRecord.objects.bulk_create(creates, batch_size=2000)
    ExternalRecord.objects.bulk_update(
        updates, ["hours", "points", "raw", "batch", "entry", "updated_at"], batch_size=2000
    )
    counts = {"new": len(creates), "changed": len(updates), "unchanged": unchanged}
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by_id = actor.pk
    batch.applied_at = timezone.now()
    batch.progress = 100
    batch.error = ""
    for name, value in counts.items():
        setattr(batch, name, value)
    batch.save()
    audit_record(
        actor=actor,
        verb="learning.import_apply",
        obj=batch,
        org=source.org,
        after={**counts, "period": period, "source": source.name, "reversed": len(to_reverse)},
    )
    return counts


def import_apply_run(batch_id: int, user_id: int) -> None:
    """The worker's apply of one batch the user asked to apply."""
    batch = ImportBatch.objects.select_related("source__org").get(pk=batch_id)
    if batch.status != ImportBatch.Status.APPLYING:
        return  # applied already (a task run twice)
    actor = get_user_model().objects.get(pk=user_id)
    try:
        _apply(actor, batch)
    except ValidationError as problem:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.CHECKED, progress=100, error=error_text(problem)
        )
        return
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
