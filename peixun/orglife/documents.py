"""Files of organisational life, built from rows the selectors read:

- the yearly meeting record book of an org (三会一课记录本, .docx, official layout): a cover, a
  table of contents by kind, and each meeting of the year in date order with its attendance,
  minutes, observers and appraisal results;
- the meetings list as an .xlsx 台账 (one row per meeting, with the list's filters): what a unit
  copies into the counts it reports upward, a `core.workbooks` 台账 with a totals row.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from peixun.core.docxstyle import (
    HEITI,
    XIAOBIAOSONG,
    docx_a4,
    docx_paragraph,
)
from peixun.core.workbooks import Column, LedgerBook, ledger_title
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_above_label

from .models import Meeting, MeetingKind

if TYPE_CHECKING:
    from .selectors import BookMeeting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def minutes_text(minutes: str) -> list[str]:
    """The minutes' paragraphs as plain text (the stored HTML is already sanitised)."""
    text = _BLOCK_END.sub("\n", minutes or "")
    text = html.unescape(_TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def record_book(org: Organization, year: int, book: list[BookMeeting]) -> bytes:
    """The record book of `org` for `year`; `book` is `selectors.record_book_meetings`."""
    meetings = [entry.meeting for entry in book]
    labels = dict(MeetingKind.choices)
    document = Document()
    docx_a4(document)
    for _i in range(4):
        docx_paragraph(document, "", indent=False)
    docx_paragraph(
        document,
        org.name,
        font=XIAOBIAOSONG,
        size=26,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    if above := org_above_label(org):  # tells same-named branches' books apart
        docx_paragraph(document, above, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    docx_paragraph(
        document,
        _("Record book of organisational life, %(year)s") % {"year": year},
        font=XIAOBIAOSONG,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    docx_paragraph(document, "", indent=False).add_run().add_break(WD_BREAK.PAGE)
    docx_paragraph(document, _("Contents"), font=HEITI, size=16, indent=False)
    counts = Counter(m.kind for m in meetings)
    for kind, label in MeetingKind.choices:
        docx_paragraph(
            document, _("%(kind)s: %(n)s") % {"kind": label, "n": counts.get(kind, 0)}, indent=False
        )
    if not meetings:
        docx_paragraph(document, _("No meeting was recorded this year."), indent=False)
    for index, entry in enumerate(book, start=1):
        meeting, statuses, expected = entry.meeting, entry.statuses, entry.expected
        event = meeting.event
        docx_paragraph(document, "", indent=False).add_run().add_break(WD_BREAK.PAGE)
        docx_paragraph(
            document,
            f"{index}. {labels[meeting.kind]}：{event.title}",
            font=HEITI,
            size=16,
            indent=False,
        )
        start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        present = statuses["present"] + statuses["late"] + statuses["left_early"]
        for line in (
            _("Time: %(start)s–%(end)s")
            % {"start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%H:%M}"},
            _("Place: %(place)s") % {"place": event.place or "—"},
            _("Host: %(host)s") % {"host": meeting.host},
            _(
                "Attendance: %(expected)s expected, %(present)s present, %(absent)s absent, %(leave)s on leave"
            )
            % {
                "expected": expected,
                "present": present,
                "absent": statuses["absent"],
                "leave": statuses["leave"],
            },
        ):
            docx_paragraph(document, line, indent=False)
        observers = list(meeting.observers.all())
        if observers:
            names = "、".join(f"{o.name}（{o.title}）" if o.title else o.name for o in observers)
            docx_paragraph(document, _("Observers: %(names)s") % {"names": names}, indent=False)
        results = Counter(a.get_result_display() for a in meeting.appraisals.all())
        if results:
            summary = "，".join(
                _("%(result)s: %(n)s") % {"result": k, "n": v} for k, v in results.items()
            )
            docx_paragraph(
                document, _("Appraisal: %(summary)s") % {"summary": summary}, indent=False
            )
        docx_paragraph(document, _("Minutes"), font=HEITI, indent=False)
        for paragraph in minutes_text(meeting.minutes) or ["—"]:
            docx_paragraph(document, paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def meetings_workbook(
    rows: list[tuple[Meeting, int]], *, org_name: str = "", period: str = ""
) -> bytes:
    """The .xlsx 台账 (`core.workbooks`): `rows` are `selectors.meeting_export_rows` (each meeting
    of `selectors.meeting_list` with the number of members it expects), titled with `org_name`
    (the org filtered by, or the reader's scope) and `period`; the totals row counts the
    meetings and adds up the people columns."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Meetings"),
            title=ledger_title(org_name, _("Meetings ledger")),
            org=org_name,
            period=period,
            columns=[
                Column(_("date"), "date"),
                Column(_("time")),
                Column(_("kind of meeting")),
                Column(_("topic")),
                Column(_("subject")),
                Column(_("held by")),
                Column(_("organization above")),
                Column(_("place")),
                Column(_("host")),
                Column(_("members expected"), "integer"),
                Column(_("members present"), "integer"),
                Column(_("hours credited to each attendee"), "hours"),
                Column(_("number of observers"), "integer"),
                Column(_("state")),
            ],
            freeze_columns=1,
        )
        expected_sum = present_sum = observers_sum = 0
        for meeting, expected in rows:
            event = meeting.event
            starts = timezone.localtime(event.starts_at)
            ends = timezone.localtime(event.ends_at)
            present = meeting.present_count  # type: ignore[attr-defined]
            observers = meeting.observer_count  # type: ignore[attr-defined]
            expected_sum += expected
            present_sum += present
            observers_sum += observers
            sheet.append(
                [
                    starts.date(),
                    f"{starts:%H:%M}–{ends:%H:%M}",
                    str(meeting.get_kind_display()),
                    str(event.get_topic_display()),
                    event.title,
                    event.org.name,
                    # `trail` from the export service (attach_ancestor_names).
                    org_above_label(event.org),
                    event.place,
                    meeting.host,
                    expected,
                    present,
                    _number(event.hours),
                    observers,
                    str(event.get_state_display()),
                ]
            )
        sheet.totals(
            [_("Total"), _("%(n)s meetings") % {"n": len(rows)}]
            + [None] * 7
            + [expected_sum, present_sum, None, observers_sum]
        )
        return book.save()
