"""Attachments of a plan: PDF, Word, WPS or Excel files up to 20 MB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id

from ..models import PlanAttachment, TrainingPlan
from .common import ATTACHMENT_SUFFIXES, MAX_ATTACHMENT_BYTES, locked, require_editable


@transaction.atomic
def attachment_add(
    *, actor: Actor, plan: TrainingPlan, file: UploadedFile[Any] | None
) -> PlanAttachment:
    plan = locked(plan)
    require_manage(actor, plan.org)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            {
                "file": _(
                    "Upload a PDF, Word, WPS or Excel file (.pdf, .doc, .docx, .wps, .xls, .xlsx)."
                )
            }
        )
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if not file.size:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = PlanAttachment.objects.create(
        plan=plan,
        file=file,
        name=name[:200],
        uploaded_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor,
        verb="plan.attach",
        obj=plan,
        org=plan.org,
        after={"attachment": attachment.name},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Actor, attachment: PlanAttachment) -> None:
    plan = locked(attachment.plan)
    require_manage(actor, plan.org)
    require_editable(plan)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=actor, verb="plan.detach", obj=plan, org=plan.org, before={"attachment": name}
    )
