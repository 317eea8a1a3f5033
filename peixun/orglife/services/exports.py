"""The files of organisational life that leave the app, each download audited with what it
held: the meetings 台账 (.xlsx, the list with its filters) and a branch's yearly 三会一课记录本
(.docx: hosts, observers, attendance and minutes). The caller has checked access."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.core.workbooks import date_span, year_period
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, reader_scope_org_name

from .. import selectors
from ..documents import meetings_workbook, record_book
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


def record_book_export(*, actor: Actor, org: Organization, year: int) -> bytes:
    """The 三会一课记录本 of `org` (a branch the actor reads, `selectors.regularity_org`) for
    `year`, as .docx; its cover names the orgs above, so same-named branches' books differ.
    Audited ("meeting.record_book_export") with the year and the meetings it held."""
    book = selectors.record_book_meetings(org, year)
    attach_ancestor_names([org])
    content = record_book(org, year, book)
    audit_record(
        actor=actor,
        verb="meeting.record_book_export",
        obj=org,
        org=org,
        after={"year": year, "meetings": [entry.meeting.pk for entry in book]},
    )
    return content
