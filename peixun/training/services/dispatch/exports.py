"""The files of dispatch that hold personal data, each download audited: the 调训通知 of one
enrolled member and of many at once (one PDF or a .zip), the class roster and the 调训情况通报.
The caller has checked access."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, audit_record_many, build_event
from peixun.core.downloads import file_name, merged_pdf, zip_bundle
from peixun.core.models import AuditEvent
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names

from ... import documents
from ...models import Enrolment, TrainingClass
from ...selectors import class_sessions
from ...selectors.circular import Circular, circular_member_ids

# The 主送 line of a 通报: a list of units, kept to a few lines.
MAX_ADDRESSEE = 300


NOTICE_FORMATS = ("docx", "pdf")
# A batch: one PDF of every notice, or a .zip of .docx or of PDF files.
BATCH_FORMATS = ("pdf", "zip", "pdf.zip")


def _notice_event(actor: Actor, enrolment: Enrolment, fmt: str, batch: bool) -> AuditEvent:
    after: dict[str, object] = {"member": enrolment.member.pk, "format": fmt}
    if batch:
        after["batch"] = True
    return build_event(
        actor=actor,
        verb="training.notice_download",
        obj=enrolment,
        org=enrolment.training_class.org,
        after=after,
    )


def notice_export(*, actor: Actor, enrolment: Enrolment, fmt: str = "docx") -> bytes:
    """The 调训通知 of an accepted enrolment, as .docx or PDF bytes; audited."""
    if fmt not in NOTICE_FORMATS:
        raise ValidationError({"format": _("Choose .docx or PDF.")})
    data = documents.notice_file(enrolment, fmt)
    # Laid out first, audited after in a short transaction: a write lock held while dozens
    # of documents are laid out would stall every other writer (SQLite waits, then fails).
    with transaction.atomic():
        audit_record_many([_notice_event(actor, enrolment, fmt, batch=False)])
    return data


def notice_file_name(enrolment: Enrolment, ext: str) -> str:
    return file_name("调训通知", enrolment.member.name, enrolment.training_class.title, ext=ext)


def notices_export(
    *, actor: Actor, training_class: TrainingClass, enrolments: list[Enrolment], fmt: str
) -> bytes:
    """The notices of `enrolments` (accepted, of `training_class`, each one the actor may
    download: `selectors.notice_enrolments`) as one PDF ("pdf") or a .zip of .docx ("zip") or of
    PDF files ("pdf.zip"); each notice audited as a single download is, marked as a batch."""
    if fmt not in BATCH_FORMATS:
        raise ValidationError({"format": _("Choose PDF, a .zip of .docx or a .zip of PDF.")})
    if not enrolments:
        raise ValidationError(_("There is no notice to download."))
    sessions = list(class_sessions(training_class))
    one = "docx" if fmt == "zip" else "pdf"
    files = [documents.notice_file(e, one, sessions) for e in enrolments]
    if fmt == "pdf":
        data = merged_pdf(files)
    else:
        data = zip_bundle(
            (notice_file_name(e, one), content)
            for e, content in zip(enrolments, files, strict=True)
        )
    # Laid out first, audited after in a short transaction: a write lock held while dozens
    # of documents are laid out would stall every other writer (SQLite waits, then fails).
    with transaction.atomic():
        audit_record_many([_notice_event(actor, e, one, batch=True) for e in enrolments])
    return data


def roster_export(
    *, actor: Actor, training_class: TrainingClass, enrolments: list[Enrolment], fmt: str
) -> bytes:
    """The live roster (accepted, then nominated) the actor may read, as `fmt` ("xlsx", "docx"
    or "pdf"), each member's branch beside the orgs above it; audited with who was listed."""
    attach_ancestor_names([enrolment.member.org for enrolment in enrolments])
    build = {
        "xlsx": documents.roster_xlsx,
        "docx": documents.roster_docx,
        "pdf": documents.roster_pdf,
    }[fmt]
    data = build(training_class, enrolments)
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


CIRCULAR_FORMATS = ("docx", "pdf", "xlsx")


def circular_file_name(circular: Circular, ext: str) -> tuple[str, str]:
    """The 通报's file name in Chinese and its ASCII fallback (the code names used before)."""
    tc = circular.training_class
    if tc is not None:
        return file_name("调训情况通报", tc.title, ext=ext), f"circular-{tc.pk}.{ext}"
    organiser = circular.organiser
    return (
        file_name("调训情况通报", organiser.name, f"{circular.year}年", ext=ext),
        f"circular-{organiser.code}-{circular.year}.{ext}",
    )


def circular_export(
    *,
    actor: Actor,
    circular: Circular,
    fmt: str,
    dated: dt.date | None = None,
    addressee: str = "",
) -> bytes:
    """The 调训情况通报 the actor was allowed to read (`selectors.class_circular` or
    `org_year_circular`) as .docx, PDF or .xlsx (the table), dated `dated` (the class's closing
    date when not given) and addressed to `addressee` (the units given places when not given).
    It names the members who did not come: audited ("training.circular_export") with them."""
    if fmt not in CIRCULAR_FORMATS:
        raise ValidationError({"format": _("Choose .docx, PDF or .xlsx.")})
    day = dated or circular.default_dated or timezone.localdate()
    text = (addressee or "").strip() or circular.default_addressee
    if len(text) > MAX_ADDRESSEE:
        raise ValidationError({"addressee": _("At most %(n)s characters.") % {"n": MAX_ADDRESSEE}})
    if fmt == "xlsx":
        data = documents.circular_xlsx(circular)
    else:
        data = documents.circular_file(circular, fmt, dated=day, addressee=text)
    tc = circular.training_class
    audit_record(
        actor=actor,
        verb="training.circular_export",
        obj=tc if tc is not None else circular.organiser,
        org=circular.organiser,
        after={
            "format": fmt,
            "year": circular.year,
            "classes": [c.pk for c in circular.classes],
            "dated": day.isoformat(),
            "members": circular_member_ids(circular),
        },
    )
    return data
