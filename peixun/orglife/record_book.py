"""The yearly meeting record book of an org (三会一课记录本, .docx, official layout): a cover,
a table of contents by kind, and each meeting of the year in date order with its attendance,
minutes, observers and appraisal results."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from peixun.core.docxstyle import (
    HEITI,
    XIAOBIAOSONG,
    docx_a4,
    docx_paragraph,
)
from peixun.events.models import Attendance
from peixun.events.registry import expected_member_ids
from peixun.orgs.models import Organization

from .models import Meeting, MeetingKind

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def minutes_text(minutes: str) -> list[str]:
    """The minutes' paragraphs as plain text (the stored HTML is already sanitised)."""
    text = _BLOCK_END.sub("\n", minutes or "")
    text = html.unescape(_TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def year_meetings(org: Organization, year: int) -> list[Meeting]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    return list(
        Meeting.objects.filter(
            event__org=org, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .select_related("event")
        .prefetch_related("observers", "appraisals")
        .order_by("event__starts_at", "id")
    )


def record_book(org: Organization, year: int) -> bytes:
    meetings = year_meetings(org, year)
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
    for index, meeting in enumerate(meetings, start=1):
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
        statuses = Counter(Attendance.objects.filter(event=event).values_list("status", flat=True))
        expected = expected_member_ids(event).count()
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
