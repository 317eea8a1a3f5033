"""The printable 培训档案 and the 学时证明: issuing a certificate (stored, numbered, audited) and the
audited exports of both as .docx or PDF (each file holds a member's personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, actor_id
from peixun.members.models import Member
from peixun.orgs.models import Organization

from .. import documents
from ..models import HoursCertificate
from ..selectors.archive import (
    Archive,
    certificate_issuer,
    clean_year_range,
    member_archive,
    member_hours_figures,
    member_visible_or_404,
)

DOCUMENT_FORMATS = ("docx", "pdf")


def check_format(fmt: str) -> None:
    if fmt not in DOCUMENT_FORMATS:
        raise ValidationError({"format": _("Choose .docx or PDF.")})


def archive_export(
    *, actor: Actor, member: Member | int, first_year: Any, last_year: Any, fmt: str
) -> tuple[bytes, Archive]:
    """The member's 培训档案 over the years as .docx or PDF; 404 outside the actor's scope (the
    member themself, their branch's secretary, the org admin and the viewer above read it).
    Audited ("hours.archive_export") as an export of personal data."""
    check_format(fmt)
    found = member_visible_or_404(actor=actor, member=member)
    first, last = clean_year_range(first_year, last_year)
    archive = member_archive(actor=actor, member=found, first_year=first, last_year=last)
    content = documents.archive_file(archive, fmt)
    audit_record(
        actor=actor,
        verb="hours.archive_export",
        obj=found,
        org=found.org,
        after={
            "format": fmt,
            "first_year": first,
            "last_year": last,
            "entries": sum(len(y.entries) for y in archive.years),
            "total": archive.figures.total,
        },
    )
    return content, archive


def _next_serial(tenant: Organization, year: int) -> str:
    """The tenant's next number of the year: T01-2025-0007. The caller holds the tenant's lock."""
    prefix = f"{tenant.code}-{year}-"
    taken = HoursCertificate.objects.filter(serial__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


@transaction.atomic
def certificate_issue(
    *,
    actor: Actor,
    member: Member | int,
    first_year: Any,
    last_year: Any,
    issued_on: dt.date | None = None,
) -> HoursCertificate:
    """Issue a 学时证明: `member` earned these hours (by kind) in the years given, stated by the
    highest org the actor manages above the member, dated `issued_on` (the actor gives it; today
    when not given). The figures are stored as stated. 404 outside the actor's scope; 403 for a
    reader who manages nothing above the member (a viewer, the member themself)."""
    found = member_visible_or_404(actor=actor, member=member)
    issuer = certificate_issuer(actor=actor, member=found)
    if issuer is None:
        raise PermissionDenied(
            _("Only the member's branch or an org above it issues certificates.")
        )
    first, last = clean_year_range(first_year, last_year)
    today = timezone.localdate()
    day = issued_on or today
    if day > today:
        raise ValidationError({"issued_on": _("A certificate cannot be dated in the future.")})
    if day.year < first:
        raise ValidationError(
            {"issued_on": _("A certificate is dated within or after the years it covers.")}
        )
    figures = member_hours_figures(member_id=found.pk, first_year=first, last_year=last)
    tenant = (
        Organization.objects.select_for_update()
        .filter(path=found.org.path[: Organization.steplen])
        .get()
    )
    certificate = HoursCertificate.objects.create(
        serial=_next_serial(tenant, day.year),
        member=found,
        org=issuer,
        first_year=first,
        last_year=last,
        issued_on=day,
        total=figures.total,
        concentrated=figures.concentrated,
        online=figures.online,
        by_kind={k.kind: f"{k.hours:f}" for k in figures.by_kind},
        issued_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor,
        verb="hours.certificate_issue",
        obj=certificate,
        org=found.org,
        after={
            "member": found.pk,
            "serial": certificate.serial,
            "issuer": issuer.pk,
            "first_year": first,
            "last_year": last,
            "issued_on": day.isoformat(),
            "total": figures.total,
            "concentrated": figures.concentrated,
            "online": figures.online,
            "by_kind": certificate.by_kind,
        },
    )
    return certificate


def certificate_export(*, actor: Actor, certificate: HoursCertificate, fmt: str) -> bytes:
    """An issued certificate as .docx or PDF, with the figures as issued. The caller found it
    through `certificate_visible_or_404`. Audited ("hours.certificate_export")."""
    check_format(fmt)
    content = documents.certificate_file(certificate, fmt)
    audit_record(
        actor=actor,
        verb="hours.certificate_export",
        obj=certificate,
        org=certificate.member.org,
        after={"format": fmt, "member": certificate.member_id, "serial": certificate.serial},
    )
    return content
