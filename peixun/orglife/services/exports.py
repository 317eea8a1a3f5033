"""The files of organisational life that leave the app, each download audited with what it
held: the meetings 台账 (.xlsx, the list with its filters), a branch's yearly 三会一课记录本
(.docx or PDF: hosts, recorders, attendance by name, observers and minutes) and the books of all
branches of a unit (one .zip or one PDF). The caller has checked access."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.downloads import merged_pdf, zip_bundle
from peixun.core.scoping import Actor
from peixun.core.workbooks import date_span, year_period
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, reader_scope_org_name

from .. import selectors
from ..documents import (
    BATCH_FORMATS,
    BOOK_FORMATS,
    meetings_workbook,
    record_book,
    record_book_name,
)
from ..models import Meeting


def meeting_export(*, actor: Actor, meetings: list[Meeting], filters: dict[str, Any]) -> bytes:
    """The meetings list (`selectors.meeting_list` with the list's `filters`) as .xlsx, each
    holding org beside the orgs above it. Audited ("meeting.export") with the number of
    meetings and the filters (an org filter by its id)."""
    attach_ancestor_names([meeting.event.org for meeting in meetings])
    content = meetings_workbook(
        selectors.meeting_export_rows(meetings),
        org_name=_title_org(actor, filters.get("org")),
        period=_period(filters.get("year"), meetings),
    )
    audit_record(
        actor=actor,
        verb="meeting.export",
        after={
            "rows": len(meetings),
            **{k: (v.pk if hasattr(v, "pk") else v) for k, v in filters.items()},
        },
    )
    return content


def _title_org(actor: Actor, org: Organization | None) -> str:
    """The org a meetings 台账 is of: the one filtered by, else the reader's one scope org."""
    return org.name if org is not None else reader_scope_org_name(actor)


def _period(year: int | None, meetings: list[Meeting]) -> str:
    """The year filtered by, else the span of the meetings' dates."""
    if year:
        return year_period(int(year))
    days = [timezone.localtime(meeting.event.starts_at).date() for meeting in meetings]
    return date_span(min(days), max(days)) if days else ""


def record_book_export(*, actor: Actor, org: Organization, year: int, fmt: str = "docx") -> bytes:
    """The 三会一课记录本 of `org` (a branch the actor reads, `selectors.regularity_org`) for
    `year`, as .docx or PDF (`fmt`, one of `BOOK_FORMATS`); its cover names the orgs above, so
    same-named branches' books differ. Audited ("meeting.record_book_export") with the year, the
    meetings it held and the format."""
    if fmt not in BOOK_FORMATS:
        raise ValueError(f"unknown record book format {fmt!r}")
    book = selectors.record_book_meetings(org, year)
    attach_ancestor_names([org])
    content = record_book(org, year, book, fmt)
    _audit_book(actor, org, year, book, fmt)
    return content


def _audit_book(
    actor: Actor,
    org: Organization,
    year: int,
    book: list[selectors.BookMeeting],
    fmt: str,
    batch: Organization | None = None,
) -> None:
    after: dict[str, Any] = {
        "year": year,
        "meetings": [entry.meeting.pk for entry in book],
        "format": fmt,
    }
    if batch is not None:
        after["batch"] = batch.pk
    audit_record(actor=actor, verb="meeting.record_book_export", obj=org, org=org, after=after)


def record_books_export(
    *, actor: Actor, org: Organization, year: int, fmt: str = "zip"
) -> tuple[bytes, int]:
    """The record books of every open branch at or below `org` (a unit the actor reads) for
    `year`: their .docx in one .zip (`fmt="zip"`), or their PDFs as one PDF (`fmt="pdf"`), in
    the order of the org tree; with the number of books. Each book is audited as its single
    download is, naming the unit it came with ("batch"). No branch below: a ValidationError."""
    if fmt not in BATCH_FORMATS:
        raise ValueError(f"unknown batch format {fmt!r}")
    branches = list(selectors.branches_below(org))
    if not branches:
        raise ValidationError(
            _("There is no branch at or below %(org)s, so there is no record book to download.")
            % {"org": org.name}
        )
    # A book takes a second or two to lay out: a request stays well inside a web worker's
    # timeout by holding a bounded number of them; a larger org downloads unit by unit.
    limit = settings.RECORD_BOOKS_PER_DOWNLOAD
    if len(branches) > limit:
        raise ValidationError(
            _(
                "%(org)s has %(count)s branches; one download holds the record books of at most"
                " %(limit)s. Download them unit by unit from the units below it."
            )
            % {"org": org.name, "count": len(branches), "limit": limit}
        )
    attach_ancestor_names(branches)
    files: list[tuple[str, bytes]] = []
    for branch in branches:
        book = selectors.record_book_meetings(branch, year)
        each = "docx" if fmt == "zip" else "pdf"
        name, _fallback = record_book_name(branch, year, each)
        files.append((name, record_book(branch, year, book, each)))
        _audit_book(actor, branch, year, book, fmt, batch=org)
    if fmt == "zip":
        return zip_bundle(files), len(files)
    return merged_pdf([content for _name, content in files]), len(files)
