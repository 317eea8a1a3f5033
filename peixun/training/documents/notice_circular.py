"""The 调训情况通报 as a document (.docx or PDF through `core.printable`: title, 主送, a body with
the table per unit, the list of those dispatched who did not come, the organiser and the 成文日期)
and its table as a `core.workbooks` 台账 (.xlsx: typed cells, text that looks like a formula kept
as text, A4 with the header repeated). Always in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from peixun.core.docxstyle import chinese_date, numbered_heading
from peixun.core.printable import Heading, Para, Printable, Table, render_docx, render_pdf
from peixun.core.workbooks import Column, LedgerBook, date_span, ledger_title, year_period

from ..selectors.circular import Circular, UnitRow

CONTEXT = "dispatch circular"


def circular_headers() -> list[str]:
    return [
        pgettext(CONTEXT, "Unit"),
        pgettext(CONTEXT, "Places"),
        pgettext(CONTEXT, "Nominated"),
        pgettext(CONTEXT, "Of whom named"),
        pgettext(CONTEXT, "Attended"),
        pgettext(CONTEXT, "Completed"),
        pgettext(CONTEXT, "Did not come"),
    ]


def _unit_cells(row: UnitRow) -> list[Any]:
    return [row.name, row.places, row.nominated, row.named, row.attended, row.completed, row.absent]


def absentee_headers(circular: Circular) -> list[str]:
    headers = [_("No."), _("name"), pgettext(CONTEXT, "Unit"), _("branch")]
    if circular.year is not None:
        headers.append(_("training class"))
    return headers + [_("route"), pgettext(CONTEXT, "Reason")]


def _absentee_cells(circular: Circular) -> list[list[Any]]:
    rows = []
    for number, a in enumerate(circular.absentees, start=1):
        cells: list[Any] = [number, a.name, a.unit, a.branch]
        if circular.year is not None:
            cells.append(a.class_title)
        rows.append([*cells, str(a.route_label), a.reason])
    return rows


def circular_title(circular: Circular) -> str:
    if circular.training_class is not None:
        return _("Circular on the dispatch of trainees to “%(title)s”") % {
            "title": circular.training_class.title
        }
    return _("Circular on the dispatch of trainees in %(year)s") % {"year": circular.year}


def _summary(circular: Circular) -> str:
    total = circular.total
    figures = {
        "places": total.places,
        "nominated": total.nominated,
        "named": total.named,
        "attended": total.attended,
        "completed": total.completed,
        "absent": total.absent,
    }
    tc = circular.training_class
    if tc is not None:
        lead = _("%(org)s held “%(title)s” from %(start)s to %(end)s.") % {
            "org": circular.organiser.name,
            "title": tc.title,
            "start": chinese_date(tc.starts_on),
            "end": chinese_date(tc.ends_on),
        }
    else:
        lead = _(
            "In %(year)s %(org)s and the organisations under it held %(n)s training classes."
        ) % {
            "year": circular.year,
            "org": circular.organiser.name,
            "n": len(circular.classes),
        }
    body = (
        _(
            " Places given: %(places)s; nominated: %(nominated)s (of whom named by the organiser: "
            "%(named)s); attended: %(attended)s; completed: %(completed)s; dispatched but did not "
            "come: %(absent)s. The dispatch of each unit is reported as follows."
        )
        % figures
    )
    return lead + body


def circular_printable(circular: Circular, *, dated: dt.date, addressee: str) -> Printable:
    with translation.override("zh-hans"):
        doc = Printable(
            title=circular_title(circular),
            addressee=addressee,
            signature=circular.organiser.name,
            dated=dated,
            author=circular.organiser.name,
            subject=_("Dispatch circular"),
        )
        doc.add(Para(_summary(circular)))
        doc.add(Heading(numbered_heading(0) + _("Dispatch by unit")))
        rows = [_unit_cells(u) for u in circular.units]
        if len(circular.units) > 1:
            rows.append(_unit_cells(circular.total))
        if rows:
            doc.add(Table(headers=circular_headers(), rows=rows, aligns=["l"] + ["r"] * 6))
        else:
            doc.add(Para(_("No unit was given places or nominated anyone.")))
        doc.add(Heading(numbered_heading(1) + _("Dispatched but did not come")))
        if circular.absentees:
            headers = absentee_headers(circular)
            doc.add(
                Table(
                    headers=headers,
                    rows=_absentee_cells(circular),
                    aligns=["c"] + ["l"] * (len(headers) - 1),
                )
            )
            doc.add(
                Para(
                    _(
                        "The units concerned are asked to arrange make-up training for those "
                        "listed and to report it to the organiser."
                    )
                )
            )
        else:
            doc.add(Para(_("Everyone dispatched came.")))
    return doc


def circular_file(circular: Circular, fmt: str, *, dated: dt.date, addressee: str) -> bytes:
    doc = circular_printable(circular, dated=dated, addressee=addressee)
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def circular_xlsx(circular: Circular) -> bytes:
    """The table per unit on one `core.workbooks` 台账 sheet (the organiser, the class's dates or
    the year as its period, the totals row), those who did not come on another."""
    with translation.override("zh-hans"):
        organiser = circular.organiser.name
        tc = circular.training_class
        period = (
            date_span(tc.starts_on, tc.ends_on)
            if tc is not None
            else year_period(int(circular.year or 0))
        )
        book = LedgerBook()
        headers = circular_headers()
        units = book.sheet(
            _("Dispatch by unit"),
            title=ledger_title(organiser, _("Dispatch by unit")),
            org=organiser,
            period=period,
            lines=[circular_title(circular)],
            columns=[Column(headers[0]), *(Column(h, "integer") for h in headers[1:])],
            freeze_columns=1,
        )
        units.extend(_unit_cells(unit) for unit in circular.units)
        units.totals([None, *_unit_cells(circular.total)[1:]], label=str(circular.total.name))
        headers = absentee_headers(circular)
        absent = book.sheet(
            _("Dispatched but did not come"),
            title=ledger_title(organiser, _("Dispatched but did not come")),
            org=organiser,
            period=period,
            lines=[circular_title(circular)],
            columns=[Column(headers[0], "integer"), *(Column(h) for h in headers[1:])],
            freeze_columns=2,
        )
        absent.extend(_absentee_cells(circular))
        if not circular.absentees:
            absent.note(_("Everyone dispatched came."))
        return book.save()
