"""The files of dispatch that hold personal data, each download audited: the 调训通知 of one
enrolled member and the class roster. The caller has checked access."""

from __future__ import annotations

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names

from ... import documents
from ...models import Enrolment, TrainingClass


def notice_export(*, actor: Actor, enrolment: Enrolment) -> bytes:
    """The 调训通知 of an accepted enrolment, as .docx bytes; audited."""
    data = documents.notice_docx(enrolment)
    audit_record(
        actor=actor,
        verb="training.notice_download",
        obj=enrolment,
        org=enrolment.training_class.org,
        after={"member": enrolment.member.pk},
    )
    return data


def roster_export(
    *, actor: Actor, training_class: TrainingClass, enrolments: list[Enrolment], fmt: str
) -> bytes:
    """The live roster (accepted, then nominated) the actor may read, as `fmt` ("xlsx" or
    "docx"), each member's branch beside the orgs above it; audited with who was listed."""
    attach_ancestor_names([enrolment.member.org for enrolment in enrolments])
    data = (
        documents.roster_xlsx(training_class, enrolments)
        if fmt == "xlsx"
        else documents.roster_docx(training_class, enrolments)
    )
    audit_record(
        actor=actor,
        verb="training.roster_export",
        obj=training_class,
        org=training_class.org,
        after={
            "format": fmt,
            "rows": len(enrolments),
            "members": [enrolment.member_id for enrolment in enrolments],
        },
    )
    return data
