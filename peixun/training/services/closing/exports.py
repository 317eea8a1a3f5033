"""The files of closing that hold personal data, each export audited: the paper sign-in sheet
(签到表) and the completion certificate (结业证书), one or all of a class at once. The caller has
checked access."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, audit_record_many, build_event
from peixun.core.downloads import file_name, merged_pdf, zip_bundle
from peixun.core.models import AuditEvent
from peixun.core.scoping import Actor

from ... import documents
from ...models import Session, TrainingClass
from ...selectors import CertificateFacts, signin_sheets

SHEET_FORMATS = ("xlsx", "docx", "pdf")
CERTIFICATE_FORMATS = ("docx", "pdf")
# A batch: one PDF of every certificate, or a .zip of .docx or of PDF files.
BATCH_FORMATS = ("pdf", "zip", "pdf.zip")


def signin_sheet_export(
    *, actor: Actor, training_class: TrainingClass, session: Session | None, fmt: str
) -> bytes:
    """The sign-in sheets of every session of the class (or of `session`) as `fmt` ("xlsx",
    "docx" or "pdf"); audited."""
    if fmt not in SHEET_FORMATS:
        raise ValidationError({"format": _("Choose .xlsx, .docx or PDF.")})
    sheets = signin_sheets(training_class, session)
    build = {
        "xlsx": documents.signin_sheet_xlsx,
        "docx": documents.signin_sheet_docx,
        "pdf": documents.signin_sheet_pdf,
    }[fmt]
    content = build(training_class, sheets)
    audit_record(
        actor=actor,
        verb="training_class.signin_sheet_export",
        obj=training_class,
        org=training_class.org,
        after={"format": fmt, "sessions": len(sheets), "session": session.pk if session else None},
    )
    return content


def _certificate_file(facts: CertificateFacts, fmt: str) -> bytes:
    return documents.certificate_pdf(facts) if fmt == "pdf" else documents.certificate_docx(facts)


def _certificate_event(actor: Actor, facts: CertificateFacts, fmt: str, batch: bool) -> AuditEvent:
    after: dict[str, object] = {"member": facts.member.pk, "hours": facts.hours, "format": fmt}
    if batch:
        after["batch"] = True
    training_class = facts.training_class
    return build_event(
        actor=actor,
        verb="training_class.certificate",
        obj=training_class,
        org=training_class.org,
        after=after,
    )


def certificate_file_name(facts: CertificateFacts, ext: str) -> str:
    return file_name("结业证书", facts.member.name, facts.training_class.title, ext=ext)


def certificate_export(*, actor: Actor, facts: CertificateFacts, fmt: str = "docx") -> bytes:
    """The completion certificate `facts` state (see `selectors.certificate_facts`), as .docx
    or PDF; audited."""
    if fmt not in CERTIFICATE_FORMATS:
        raise ValidationError({"format": _("Choose .docx or PDF.")})
    content = _certificate_file(facts, fmt)
    # Laid out first, audited after in a short transaction: a write lock held while dozens
    # of documents are laid out would stall every other writer (SQLite waits, then fails).
    with transaction.atomic():
        audit_record_many([_certificate_event(actor, facts, fmt, batch=False)])
    return content


def certificates_export(*, actor: Actor, certificates: list[CertificateFacts], fmt: str) -> bytes:
    """The certificates of a class the actor may download (`selectors.class_certificates`) as
    one PDF ("pdf") or a .zip of .docx ("zip") or of PDF files ("pdf.zip"); each audited as a
    single download is, marked as a batch."""
    if fmt not in BATCH_FORMATS:
        raise ValidationError({"format": _("Choose PDF, a .zip of .docx or a .zip of PDF.")})
    if not certificates:
        raise ValidationError(_("There is no certificate to download."))
    one = "docx" if fmt == "zip" else "pdf"
    files = [_certificate_file(facts, one) for facts in certificates]
    if fmt == "pdf":
        data = merged_pdf(files)
    else:
        data = zip_bundle(
            (certificate_file_name(facts, one), content)
            for facts, content in zip(certificates, files, strict=True)
        )
    # Laid out first, audited after in a short transaction: a write lock held while dozens
    # of documents are laid out would stall every other writer (SQLite waits, then fails).
    with transaction.atomic():
        audit_record_many(
            [_certificate_event(actor, facts, one, batch=True) for facts in certificates]
        )
    return data
