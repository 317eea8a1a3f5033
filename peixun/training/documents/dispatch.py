"""Documents of dispatch: the 调训通知 (.docx) for one enrolled member, and the class roster as
.xlsx or .docx.

The notice follows the GB/T 9704-2012 layout of an official document as far as a word processor
file can: A4 with 37/35/28/26 mm margins, the issuing organisation's name in red above a red
rule, the title in 2号 (22 pt) 小标宋, the addressee flush left, the body in 3号 (16 pt) 仿宋
with two-character first-line indents and fixed 28 pt lines, level-one headings 一、二、 in 黑体,
and the issuing organisation and date at the bottom right. Fonts fall back to whatever the reader
has installed.

Rosters never show a full ID number (the masked form stored on the member); the .xlsx roster is
a `core.workbooks` 台账. Every download is audited by the services that serve these files
(`services.dispatch.notice_export`, `roster_export`).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from peixun.core.docxstyle import (
    CHINESE_NUMERALS,
    FANGSONG,
    HEITI,
    RED,
    XIAOBIAOSONG,
    chinese_date,
)
from peixun.core.docxstyle import docx_a4 as _a4
from peixun.core.docxstyle import docx_font as _font
from peixun.core.docxstyle import docx_paragraph as _paragraph
from peixun.core.docxstyle import docx_red_rule as _red_rule
from peixun.core.docxstyle import numbered_heading as _heading
from peixun.core.workbooks import Column, LedgerBook, date_span, ledger_title
from peixun.events.models import Event
from peixun.orgs.selectors import org_above_label

from ..models import Enrolment, TrainingClass
from ..selectors import class_hours_total, class_sessions, training_settings_of

# -- the dispatch notice -------------------------------------------------------------------------


def _curriculum(training_class: TrainingClass) -> tuple[list[str], Decimal]:
    sessions = class_sessions(training_class)
    lines = []
    for n, session in enumerate(sessions, start=1):
        event: Event = session.event
        start = timezone.localtime(event.starts_at)
        end = timezone.localtime(event.ends_at)
        kind = str(session.get_type_display())
        # Titles often begin with their type already (现场教学：廉政教育基地): say it once.
        what = event.title if event.title.startswith(kind) else f"{kind}：{event.title}"
        line = f"{n}. {start:%m-%d %H:%M}–{end:%H:%M} {what}"
        if session.teacher:
            line += f"（{session.teacher}）"
        lines.append(line)
    return lines, class_hours_total(training_class)


def _hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def notice_docx(enrolment: Enrolment) -> bytes:
    """The 调训通知 of an accepted enrolment, as .docx bytes. The caller has checked access."""
    training_class = enrolment.training_class
    member = enrolment.member
    unit = enrolment.quota.org if enrolment.quota_id and enrolment.quota else member.org
    decided = timezone.localtime(enrolment.decided_at).date() if enrolment.decided_at else None
    # A notice to attend is issued by the class's first day at the latest: one entered or
    # printed after the class began is dated its first day, never today's date beside
    # "will hold" for a class long over.
    issued = min(decided or timezone.localdate(), training_class.starts_on)
    with translation.override("zh-hans"):
        document = Document()
        _a4(document)
        head = _paragraph(
            document,
            training_class.org.name,
            font=XIAOBIAOSONG,
            size=26,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            color=RED,
        )
        head.paragraph_format.line_spacing = Pt(40)
        _red_rule(head)
        _paragraph(document, indent=False)
        title = _paragraph(
            document,
            _("Notice on attending the %(title)s") % {"title": training_class.title},
            font=XIAOBIAOSONG,
            size=22,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
        title.paragraph_format.line_spacing = Pt(36)
        _paragraph(document, indent=False)
        _paragraph(
            document,
            _("%(unit)s, comrade %(name)s:") % {"unit": unit.name, "name": member.name},
            indent=False,
        )
        days = (training_class.ends_on - training_class.starts_on).days + 1
        _paragraph(
            document,
            _(
                "%(org)s will hold the %(title)s (%(kind)s). After study, comrade %(name)s of "
                "%(unit)s is dispatched to attend. The arrangements are as follows."
            )
            % {
                "org": training_class.org.name,
                "title": training_class.title,
                "kind": training_class.get_kind_display(),
                "name": member.name,
                "unit": unit.name,
            },
        )
        sections: list[tuple[str, list[str]]] = []
        sections.append(
            (
                _("Training dates"),
                [
                    _("From %(start)s to %(end)s, %(days)s days in all.")
                    % {
                        "start": chinese_date(training_class.starts_on),
                        "end": chinese_date(training_class.ends_on),
                        "days": days,
                    }
                ],
            )
        )
        if training_class.online:
            place = _("Online; the organiser will send the address of the course.")
        else:
            place = training_class.venue or _("To be announced by the organiser.")
        sections.append((_("Training venue"), [place]))
        lines, total = _curriculum(training_class)
        content = [
            _("The class has %(n)s sessions, %(hours)s study hours in all.")
            % {"n": len(lines), "hours": _hours_text(total)}
        ]
        sections.append((_("Content of the training"), content + lines))
        requirements = [
            _(
                "Arrive on time, take part in every session and sign in with the QR code shown at "
                "each session; attendance is recorded for every session."
            )
        ]
        if training_class.full_time:
            denominator = training_class_leave_denominator(training_class)
            requirements.append(
                _(
                    "This is full-time training: members are released from their duties for its "
                    "whole length. Leave must be asked for in advance; a member whose leave "
                    "exceeds 1/%(n)s of the class's hours is withdrawn from the class."
                )
                % {"n": denominator}
            )
        else:
            requirements.append(
                _(
                    "A member who cannot attend a session must ask the organiser for leave in advance."
                )
            )
        requirements.append(
            _(
                "Study hours are credited for the sessions actually attended; missed sessions are "
                "made up later."
            )
        )
        sections.append(
            (
                _("Requirements for trainees"),
                [f"（{CHINESE_NUMERALS[i]}）{text}" for i, text in enumerate(requirements)],
            )
        )
        for index, (heading, paragraphs) in enumerate(sections):
            _paragraph(document, _heading(index) + heading, font=HEITI)
            for text in paragraphs:
                _paragraph(document, text)
        _paragraph(document, indent=False)
        _paragraph(document, indent=False)
        for text in (training_class.org.name, chinese_date(issued)):
            signature = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            signature.paragraph_format.right_indent = Pt(16 * 4)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def training_class_leave_denominator(training_class: TrainingClass) -> int:
    return int(training_settings_of(training_class.org).leave_limit_denominator or 7)


# -- the roster ----------------------------------------------------------------------------------


def roster_headers() -> list[str]:
    return [
        _("No."),
        _("name"),
        _("gender"),
        _("ID number"),
        _("branch"),
        _("organization above"),
        _("places of"),
        _("route"),
        _("state"),
        _("mobile number"),
    ]


def roster_row(n: int, enrolment: Enrolment) -> list[Any]:
    member = enrolment.member
    return [
        n,
        member.name,
        member.get_gender_display(),
        member.id_number_masked,
        member.org.name,
        org_above_label(member.org),  # `trail` from the export service
        enrolment.quota.org.name if enrolment.quota else _("Named by the organiser"),
        enrolment.get_route_display(),
        enrolment.get_state_display(),
        member.mobile,
    ]


def _roster_title(training_class: TrainingClass) -> str:
    return _("Roster of the %(title)s") % {"title": training_class.title}


def roster_xlsx(training_class: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    """The roster as a `core.workbooks` 台账: titled with the organiser and the class, its dates
    as the period."""
    with translation.override("zh-hans"):
        headers = roster_headers()
        book = LedgerBook()
        sheet = book.sheet(
            _("Trainee roster"),
            title=ledger_title(training_class.org.name, _roster_title(training_class)),
            org=training_class.org.name,
            period=date_span(training_class.starts_on, training_class.ends_on),
            columns=[Column(headers[0], "integer"), *(Column(header) for header in headers[1:])],
            freeze_columns=2,
        )
        for n, enrolment in enumerate(enrolments, start=1):
            sheet.append(
                [str(v) if isinstance(v, Promise) else v for v in roster_row(n, enrolment)]
            )
        return book.save()


def roster_docx(training_class: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    with translation.override("zh-hans"):
        document = Document()
        _a4(document)
        _paragraph(
            document,
            _roster_title(training_class),
            font=XIAOBIAOSONG,
            size=22,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        ).paragraph_format.line_spacing = Pt(36)
        dates = chinese_date(training_class.starts_on)
        if training_class.ends_on != training_class.starts_on:
            dates += " — " + chinese_date(training_class.ends_on)
        info = f"{training_class.org.name} · {dates}"
        if training_class.venue:
            info += f" · {training_class.venue}"
        _paragraph(document, info, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _paragraph(document, indent=False, size=12)
        headers = roster_headers()[:-1]  # the printed roster leaves phone numbers out
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), HEITI, 10.5)
        for n, enrolment in enumerate(enrolments, start=1):
            cells = table.add_row().cells
            for cell, value in zip(cells, roster_row(n, enrolment)[:-1], strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(str(value)), FANGSONG, 10.5)
        if not enrolments:
            _paragraph(document, _("Nobody is enrolled yet."), size=12, indent=False)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()
