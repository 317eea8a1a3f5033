"""The files of dispatch that hold personal data, each download audited: the 调训通知 of one
enrolled member, the class roster and the 调训情况通报. The caller has checked access."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names

from ... import documents
from ...models import Enrolment, TrainingClass
from ...selectors.circular import Circular, circular_member_ids

# The 主送 line of a 通报: a list of units, kept to a few lines.
MAX_ADDRESSEE = 300


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


CIRCULAR_FORMATS = ("docx", "pdf", "xlsx")


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
