"""The import's writes that a person makes: sources and their mappings, uploads, review picks,
and asking for a batch to be applied. The heavy work runs in the worker (`tasks`).

Who imports: whoever manages the source's org, as for the roster import: an org admin for
their subtree, a secretary for their branch; plain members and read-only viewers never.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ...models.imports import (
    MAPPED_FIELDS,
    ExternalSource,
    ImportBatch,
    ImportLine,
    period_bounds,
)
from .check import count_lines, judge_lines
from .mapping import mapping_problem
from .tasks import import_apply, import_check

SOURCE_AUDIT = ["org", "name", "platform", "mapping"]
UPLOAD_TYPES = (".xlsx", ".csv")


def _clean_source(name: str, platform: str, mapping: dict[str, str]) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the source.")})
    if platform not in ExternalSource.Platform.values:
        raise ValidationError({"platform": _("Unknown value.")})
    cleaned = {f: str(mapping.get(f) or "").strip()[:60] for f in MAPPED_FIELDS}
    problem = mapping_problem(cleaned)
    if problem:
        raise ValidationError({"mapping": problem})
    return {"name": name[:60], "platform": platform, "mapping": cleaned}


@transaction.atomic
def source_create(
    *, actor: Actor, org: Organization, name: str, platform: str, mapping: dict[str, str]
) -> ExternalSource:
    require_manage(actor, org)
    fields = _clean_source(name, platform, mapping)
    if ExternalSource.objects.filter(org=org, name=fields["name"]).exists():
        raise ValidationError({"name": _("This organization already has a source of that name.")})
    source = ExternalSource.objects.create(org=org, created_by_id=actor.pk, **fields)
    audit_record(
        actor=actor,
        verb="learning.source_create",
        obj=source,
        org=org,
        after=snapshot(source, SOURCE_AUDIT),
    )
    return source


@transaction.atomic
def source_update(
    *, actor: Actor, source: ExternalSource, name: str, platform: str, mapping: dict[str, str]
) -> ExternalSource:
    source = ExternalSource.objects.select_for_update().get(pk=source.pk)
    require_manage(actor, source.org)
    fields = _clean_source(name, platform, mapping)
    clash = ExternalSource.objects.filter(org=source.org, name=fields["name"]).exclude(pk=source.pk)
    if clash.exists():
        raise ValidationError({"name": _("This organization already has a source of that name.")})
    before = snapshot(source, SOURCE_AUDIT)
    for key, value in fields.items():
        setattr(source, key, value)
    source.save()
    audit_record(
        actor=actor,
        verb="learning.source_update",
        obj=source,
        org=source.org,
        before=before,
        after=snapshot(source, SOURCE_AUDIT),
    )
    return source


def clean_period(period: str) -> str:
    period = (period or "").strip()
    try:
        start, _end = period_bounds(period)
    except ValueError:
        raise ValidationError(
            {"period": _("Give the period as a year (2025) or a month (2025-03).")}
        ) from None
    if start > timezone.localdate():
        raise ValidationError({"period": _("The period has not begun yet.")})
    return period


@transaction.atomic
def import_upload(
    *, actor: Actor, source: ExternalSource, period: str, upload: UploadedFile[Any]
) -> ImportBatch:
    """Keep the file and queue its dry run; the batch's page follows the check's progress."""
    require_manage(actor, source.org)
    period = clean_period(period)
    name = (upload.name or "").strip()
    if not name.lower().endswith(UPLOAD_TYPES):
        raise ValidationError({"file": _("Upload the platform's export as .xlsx or .csv.")})
    limit = int(settings.LEARNING_IMPORT_MAX_BYTES)
    if (upload.size or 0) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)d MB; split it into parts.")
                % {"limit": limit // (1024 * 1024)}
            }
        )
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    batch = ImportBatch(source=source, period=period, filename=name[:200], created_by_id=actor.pk)
    # The stored name is random: the original may hold a person's name.
    batch.file.save(
        f"{timezone.now():%Y%m%d%H%M%S}.{name.rsplit('.', 1)[-1].lower()}", upload, save=False
    )
    batch.save()
    audit_record(
        actor=actor,
        verb="learning.import_upload",
        obj=batch,
        org=source.org,
        after={"source": source.name, "period": period, "file": batch.filename},
    )
    import_check.enqueue(batch.pk)
    return batch


def _locked_batch(batch: ImportBatch) -> ImportBatch:
    locked: ImportBatch = (
        ImportBatch.objects.select_for_update().select_related("source__org").get(pk=batch.pk)
    )
    return locked


@transaction.atomic
def import_line_pick(*, actor: Actor, line: ImportLine, member: Member | None) -> ImportLine:
    """A reviewer's answer for a line the file names ambiguously or not at all: the member it
    means, or None to leave the line out of this import."""
    batch = _locked_batch(line.batch)
    require_manage(actor, batch.source.org)
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError({"line": _("This import is no longer open for review.")})
    line = ImportLine.objects.select_for_update().get(pk=line.pk, batch=batch)
    if line.state == ImportLine.State.PROBLEM or line.match not in (
        ImportLine.Match.NONE,
        ImportLine.Match.PICKED,
        ImportLine.Match.REMEMBERED,
    ):
        raise ValidationError({"line": _("Only a line waiting for review can be picked.")})
    before = {"state": line.state, "member": line.member_id}
    if member is None:
        line.member = None
        line.state = ImportLine.State.SKIPPED
        line.match = ImportLine.Match.NONE
        line.outcome = ImportLine.Outcome.NONE
    else:
        if not member.org.path.startswith(batch.source.org.path):
            raise ValidationError({"member": _("Pick a member of the source's organization.")})
        line.member = member
        line.state = ImportLine.State.MATCHED
        line.match = ImportLine.Match.PICKED
        judge_lines(batch, [line])
    line.save()
    count_lines(batch, list(batch.lines.all()))
    batch.save(update_fields=["people", "matched", "review", "new", "changed", "unchanged"])
    audit_record(
        actor=actor,
        verb="learning.import_pick",
        obj=batch,
        org=batch.source.org,
        before=before,
        after={"row": line.row, "state": line.state, "member": line.member_id},
    )
    return line


@transaction.atomic
def import_apply_request(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Queue a checked batch for applying, once no line waits for review."""
    batch = _locked_batch(batch)
    require_manage(actor, batch.source.org)
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError({"batch": _("Only a checked import can be applied.")})
    if batch.review:
        raise ValidationError(
            {
                "batch": _(
                    "Review every line first: pick the member each one means, or leave it out."
                )
            }
        )
    batch.status = ImportBatch.Status.APPLYING
    batch.progress = 0
    batch.save(update_fields=["status", "progress"])
    import_apply.enqueue(batch.pk, actor.pk)
    return batch


# A batch still waiting here after the keep period will not be applied: a checked report nobody
# applied, or a check the worker never ran (a batch being applied is left to the worker).
EXPIRING_STATES = (
    ImportBatch.Status.QUEUED,
    ImportBatch.Status.CHECKING,
    ImportBatch.Status.CHECKED,
)


def imports_expire(*, now: dt.datetime | None = None) -> int:
    """The periodic job `learning.imports_expire`: delete the uploads of batches not applied
    within LEARNING_IMPORT_KEEP_DAYS of their upload (the file may hold plain ID numbers) and
    mark those batches expired, each in its own transaction and audited. Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=int(settings.LEARNING_IMPORT_KEEP_DAYS))
    due = ImportBatch.objects.filter(status__in=EXPIRING_STATES, created_at__lt=cutoff)
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        if _expire_one(pk, cutoff):
            count += 1
    return count


@transaction.atomic
def _expire_one(pk: int, cutoff: dt.datetime) -> bool:
    batch = ImportBatch.objects.select_for_update().select_related("source__org").get(pk=pk)
    # Read again under the lock: someone may have applied it since the list was made.
    if batch.status not in EXPIRING_STATES or batch.created_at >= cutoff:
        return False
    before = batch.status
    had_file = bool(batch.file)
    name, storage = batch.file.name, batch.file.storage
    batch.status = ImportBatch.Status.EXPIRED
    batch.error = _(
        "Not applied within %(days)s days: the uploaded file was deleted. Upload it again to "
        "import it."
    ) % {"days": settings.LEARNING_IMPORT_KEEP_DAYS}
    batch.file = ""
    batch.save(update_fields=["status", "error", "file"])
    if had_file:
        # After commit: a rollback must not leave a batch pointing at a deleted file.
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=None,
        verb="learning.import_expire",
        obj=batch,
        org=batch.source.org,
        before={"status": before},
        after={"status": batch.status, "file_deleted": had_file},
    )
    return True
