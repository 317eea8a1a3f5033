"""Attachments of an expense (invoices, receipts, the decision): PDF, Word, WPS, Excel or an
image, up to 20 MB; added and removed by the managers of the expense's org while it stands."""

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

from ..models import Expense, ExpenseAttachment
from .expenses import locked, require_standing

ATTACHMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".jpg", ".jpeg", ".png"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def expense_attachment_add(
    *,
    actor: Actor,
    expense: Expense,
    file: UploadedFile[Any] | None,
    kind: str = ExpenseAttachment.Kind.INVOICE,
) -> ExpenseAttachment:
    expense = locked(expense)
    require_manage(actor, expense.org)
    require_standing(expense)
    if kind not in ExpenseAttachment.Kind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            {
                "file": _(
                    "Upload a PDF, Word, WPS or Excel file or a photo (.pdf, .doc, .docx, .wps, "
                    ".xls, .xlsx, .jpg, .png)."
                )
            }
        )
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if not file.size:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = ExpenseAttachment.objects.create(
        expense=expense, kind=kind, file=file, name=name[:200], uploaded_by_id=actor_id(actor)
    )
    audit_record(
        actor=actor,
        verb="expense.attach",
        obj=expense,
        org=expense.org,
        after={"attachment": attachment.name, "kind": kind},
    )
    return attachment


@transaction.atomic
def expense_attachment_remove(*, actor: Actor, attachment: ExpenseAttachment) -> None:
    expense = locked(attachment.expense)
    require_manage(actor, expense.org)
    require_standing(expense)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=actor,
        verb="expense.detach",
        obj=expense,
        org=expense.org,
        before={"attachment": name},
    )
