"""The files of closing that hold personal data, each export audited: the paper sign-in sheet
(签到表) and the completion certificate (结业证书). The caller has checked access."""

from __future__ import annotations

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor

from ... import documents
from ...models import Session, TrainingClass
from ...selectors import CertificateFacts, signin_sheets


def signin_sheet_export(
    *, actor: Actor, training_class: TrainingClass, session: Session | None, fmt: str
) -> bytes:
    """The sign-in sheets of every session of the class (or of `session`) as `fmt` ("xlsx" or
    "docx"); audited."""
    sheets = signin_sheets(training_class, session)
    build = documents.signin_sheet_xlsx if fmt == "xlsx" else documents.signin_sheet_docx
    content = build(training_class, sheets)
    audit_record(
        actor=actor,
        verb="training_class.signin_sheet_export",
        obj=training_class,
        org=training_class.org,
        after={"format": fmt, "sessions": len(sheets), "session": session.pk if session else None},
    )
    return content


def certificate_export(*, actor: Actor, facts: CertificateFacts) -> bytes:
    """The completion certificate `facts` state (see `selectors.certificate_facts`), as .docx;
    audited."""
    content = documents.certificate_docx(facts)
    training_class = facts.training_class
    audit_record(
        actor=actor,
        verb="training_class.certificate",
        obj=training_class,
        org=training_class.org,
        after={"member": facts.member.pk, "hours": facts.hours},
    )
    return content
