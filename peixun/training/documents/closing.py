"""Documents of a class: the paper sign-in sheet (签到表, .xlsx and .docx: per session, the members
expected there with blank columns to sign) and the completion certificate (结业证书, .docx).

The workbook is a `core.workbooks` 台账 (one sheet per session); documents are always in Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from peixun.core.workbooks import Column, LedgerBook, date_span, ledger_title
from peixun.members.models import Member

from ..models import Session, TrainingClass
from ..selectors import CertificateFacts, SheetSession


def _remark(item: SheetSession, member: Member) -> str:
    return _("On leave (approved)") if member.pk in item.on_leave else ""


def _when(session: Session) -> str:
    starts = timezone.localtime(session.event.starts_at)
    ends = timezone.localtime(session.event.ends_at)
    end_format = "H:i" if starts.date() == ends.date() else "Y-m-d H:i"
    return f"{formats.date_format(starts, 'Y-m-d H:i')}—{formats.date_format(ends, end_format)}"


def _hours(value: object) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def _session_line(session: Session) -> str:
    event = session.event
    parts = [
        _("Time: %(when)s") % {"when": _when(session)},
        _("Place: %(place)s") % {"place": event.place or "—"},
        _("Hours: %(hours)s") % {"hours": _hours(event.hours)},
    ]
    if session.teacher:
        parts.append(_("Teacher: %(teacher)s") % {"teacher": session.teacher})
    return "　".join(parts)


def _columns(session: Session) -> list[str]:
    columns = [_("No."), _("name"), _("branch"), _("Sign-in signature")]
    if session.event.signout_required:
        columns.append(_("Sign-out signature"))
    columns.append(_("Remarks"))
    return columns


def signin_sheet_xlsx(training_class: TrainingClass, sheets: list[SheetSession]) -> bytes:
    """One worksheet per session, ready to print (`core.workbooks` 台账): the class, organiser and
    session's date above, the session's time, place, hours and teacher, then a row for each
    expected member with blank signature cells, and the counts to fill in below."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        title = ledger_title(
            training_class.org.name,
            _("%(title)s sign-in sheet") % {"title": training_class.title},
        )
        if not sheets:
            book.sheet(
                _("Sign-in sheet"),
                title=title,
                org=training_class.org.name,
                period=date_span(training_class.starts_on, training_class.ends_on),
                lines=[_("The class has no sessions.")],
                columns=[Column(text) for text in _columns_without_signout()],
            )
        for index, item in enumerate(sheets, start=1):
            session = item.session
            starts = timezone.localtime(session.event.starts_at).date()
            ends = timezone.localtime(session.event.ends_at).date()
            columns = []
            for text in _columns(session):
                signature = text in (_("Sign-in signature"), _("Sign-out signature"))
                columns.append(
                    Column(text, "integer" if text == _("No.") else "text", 24 if signature else 0)
                )
            sheet = book.sheet(
                f"{index} {session.event.title}",
                title=title,
                org=training_class.org.name,
                period=date_span(starts, ends),
                lines=[f"{session.event.title}　{_session_line(session)}"],
                columns=columns,
                freeze_columns=2,
                row_height=26,
            )
            for number, member in enumerate(item.members, start=1):
                sheet.append(
                    [number, member.name, member.org.name]
                    + [None] * (len(columns) - 4)
                    + [_remark(item, member) or None]
                )
            sheet.note(
                _(
                    "Expected: %(n)s (leave approved: %(leave)s). Present: ____  On leave: ____  Absent: ____"
                )
                % {"n": len(item.members), "leave": len(item.on_leave)}
            )
        return book.save()


def _columns_without_signout() -> list[str]:
    return [_("No."), _("name"), _("branch"), _("Sign-in signature"), _("Remarks")]


def _set_font(run: object, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]


def signin_sheet_docx(training_class: TrainingClass, sheets: list[SheetSession]) -> bytes:
    """The same sheets as a Word document, one session a page."""
    with translation.override("zh-hans"):
        document = Document()
        section = document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
        if not sheets:
            document.add_paragraph(_("The class has no sessions."))
        for index, item in enumerate(sheets):
            session = item.session
            heading = document.add_paragraph()
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if index:
                heading.paragraph_format.page_break_before = True
            _set_font(heading.add_run(f"{training_class.title} · {_('Sign-in sheet')}"), 16, True)
            title = document.add_paragraph()
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_font(title.add_run(session.event.title), 13, True)
            _set_font(document.add_paragraph().add_run(_session_line(session)), 10.5)
            columns = _columns(session)
            table = document.add_table(rows=1, cols=len(columns))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, columns, strict=True):
                cell.text = ""
                _set_font(cell.paragraphs[0].add_run(text), 10.5, True)
            for number, member in enumerate(item.members, start=1):
                cells = table.add_row().cells
                values = [str(number), member.name, member.org.name]
                values += [""] * (len(columns) - 4) + [_remark(item, member)]
                for cell, text in zip(cells, values, strict=True):
                    cell.text = text
                table.rows[-1].height = Cm(0.9)
            summary = document.add_paragraph()
            summary.paragraph_format.space_before = Pt(8)
            _set_font(
                summary.add_run(
                    _(
                        "Expected: %(n)s (leave approved: %(leave)s). Present: ____  "
                        "On leave: ____  Absent: ____"
                    )
                    % {"n": len(item.members), "leave": len(item.on_leave)}
                ),
                10.5,
            )
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def certificate_docx(facts: CertificateFacts) -> bytes:
    """The completion certificate (结业证书) of one member, on a landscape A4 page."""
    tc = facts.training_class
    with translation.override("zh-hans"):
        document = Document()
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        section.left_margin = section.right_margin = Cm(3)
        section.top_margin = section.bottom_margin = Cm(2.5)

        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(number.add_run(_("Certificate No. %(number)s") % {"number": facts.number}), 10.5)

        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = Pt(24)
        title.paragraph_format.space_after = Pt(24)
        _set_font(title.add_run(_("Certificate of completion")), 36, True)

        greeting = document.add_paragraph()
        _set_font(greeting.add_run(_("Comrade %(name)s:") % {"name": facts.member.name}), 16)

        body = document.add_paragraph()
        body.paragraph_format.first_line_indent = Pt(32)
        body.paragraph_format.line_spacing = 1.5
        _set_font(
            body.add_run(
                _(
                    "From %(first)s to %(last)s you took part in %(class)s held by %(org)s, "
                    "completed the prescribed curriculum and were credited %(hours)s study "
                    "hours. You have completed the class."
                )
                % {
                    "first": _date(tc.starts_on),
                    "last": _date(tc.ends_on),
                    "class": f"“{tc.title}”",
                    "org": tc.org.name,
                    "hours": _hours(facts.hours),
                }
            ),
            16,
        )
        body.add_run().add_break(WD_BREAK.LINE)
        _set_font(body.add_run(_("This certificate is hereby issued.")), 16)

        for text in (tc.org.name, _date(certificate_date(tc))):
            line = document.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            line.paragraph_format.space_before = Pt(12)
            _set_font(line.add_run(text), 16)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def certificate_date(tc: TrainingClass) -> dt.date:
    """The date a certificate is issued on: the closing's date (`closed_on`); for a class closed
    before that was kept, the last day or the day it was closed, whichever came first."""
    if tc.closed_on is not None:
        return tc.closed_on
    if tc.closed_at is not None:
        return min(tc.ends_on, timezone.localdate(tc.closed_at))
    return min(tc.ends_on, timezone.localdate())


def _date(day: object) -> str:
    return f"{day.year}年{day.month}月{day.day}日"  # type: ignore[attr-defined]
