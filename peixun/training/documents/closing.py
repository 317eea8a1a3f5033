"""Documents of a class: the paper sign-in sheet (签到表: per session, the members expected there
with blank columns to sign) and the completion certificate (结业证书).

The workbook is a `core.workbooks` 台账 (one sheet per session); the sheet as a document and the
certificate are `core.printable.Printable`s (a .docx and a PDF from one description). Documents
are always in Chinese.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from peixun.core.printable import (
    PageBreak,
    Para,
    Printable,
    Spacer,
    Table,
    render_docx,
    render_pdf,
)
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


# A blank cell to sign in: eight characters wide and two lines high, room for a name written by
# hand (the table fits its columns to their widest content and its rows to their lines).
SIGNATURE_ROOM = "　" * 8 + "\n　"


def signin_sheet_printable(training_class: TrainingClass, sheets: list[SheetSession]) -> Printable:
    """The same sheets as a document, one session a page: the session's title, time, place,
    hours and teacher, the table with blank columns to sign, and the counts to fill in."""
    with translation.override("zh-hans"):
        doc = Printable(
            title=_("%(title)s sign-in sheet") % {"title": training_class.title},
            author=training_class.org.name,
            subject=_("Sign-in sheet"),
        )
        if not sheets:
            doc.add(Para(_("The class has no sessions."), indent=False))
        for index, item in enumerate(sheets):
            session = item.session
            if index:
                doc.add(PageBreak())
                doc.add(Para(doc.title, align="center", indent=False, size=16, bold=True))
            doc.add(Para(session.event.title, align="center", indent=False, bold=True))
            doc.add(Para(_session_line(session), align="left", indent=False, size=12))
            columns = _columns(session)
            rows = []
            for number, member in enumerate(item.members, start=1):
                remark = _remark(item, member)
                blanks = [SIGNATURE_ROOM] * (len(columns) - 4)
                rows.append([number, member.name, member.org.name, *blanks, remark])
            if not rows:
                rows.append(["", "", "", *([SIGNATURE_ROOM] * (len(columns) - 4)), ""])
            doc.add(Table(headers=columns, rows=rows, aligns=["c", "l", "l"], size=14))
            doc.add(
                Para(
                    _(
                        "Expected: %(n)s (leave approved: %(leave)s). Present: ____  "
                        "On leave: ____  Absent: ____"
                    )
                    % {"n": len(item.members), "leave": len(item.on_leave)},
                    indent=False,
                    size=12,
                )
            )
    return doc


def signin_sheet_docx(training_class: TrainingClass, sheets: list[SheetSession]) -> bytes:
    return render_docx(signin_sheet_printable(training_class, sheets))


def signin_sheet_pdf(training_class: TrainingClass, sheets: list[SheetSession]) -> bytes:
    return render_pdf(signin_sheet_printable(training_class, sheets))


def certificate_printable(facts: CertificateFacts) -> Printable:
    """The completion certificate (结业证书) of one member: landscape A4, no page number, the
    organiser and the date under room for its seal. It states what `CertificateFacts` holds."""
    tc = facts.training_class
    organiser = tc.org.name
    with translation.override("zh-hans"):
        doc = Printable(
            title=_("Certificate of completion"),
            signature=organiser,
            dated=certificate_date(tc),
            author=organiser,
            subject=f"{tc.title}　{facts.member.name}",
            sealed=True,
            landscape=True,
            numbered=False,
            title_size=36,  # 小初: a certificate's title reads across the room
        )
        doc.add(
            Para(
                _("Certificate No. %(number)s") % {"number": facts.number},
                align="right",
                indent=False,
                size=12,
            ),
            Spacer(1),
            Para(
                _("Comrade %(name)s:") % {"name": facts.member.name},
                align="left",
                indent=False,
                size=18,
            ),
            Para(
                _(
                    "From %(first)s to %(last)s you took part in %(class)s held by %(org)s, "
                    "completed the prescribed curriculum and were credited %(hours)s study "
                    "hours. You have completed the class."
                )
                % {
                    "first": _date(tc.starts_on),
                    "last": _date(tc.ends_on),
                    "class": f"“{tc.title}”",
                    "org": organiser,
                    "hours": _hours(facts.hours),
                },
                size=18,
            ),
            Para(_("This certificate is hereby issued."), size=18),
        )
    return doc


def certificate_docx(facts: CertificateFacts) -> bytes:
    return render_docx(certificate_printable(facts))


def certificate_pdf(facts: CertificateFacts) -> bytes:
    return render_pdf(certificate_printable(facts))


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
