"""Files out of the ledger: the branch 台账 as .xlsx, one row per member with hours by kind,
totals and each rule's result; the list of members behind (or at risk) of the compliance page;
a member's 培训档案 and an issued 学时证明 as printable documents (.docx or PDF, `core.printable`).

The rows come from `selectors.ledger_data` (constant queries); the sheets are
`core.workbooks` 台账 (title naming the org and year, typed cells, printable on A4). The audited
export that serves it is `services.ledger_export`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.docxstyle import chinese_date, numbered_heading
from peixun.core.printable import Heading, Para, Printable, Table, render_docx, render_pdf
from peixun.core.workbooks import Column, LedgerBook, as_of_period, ledger_title, year_period

from .logic import COUNT_METRICS, TOPIC_SHARE
from .models import HoursCertificate, Kind
from .selectors.archive import Archive, certificate_kinds
from .selectors.compliance import STATUS_LABELS, Drilldown
from .selectors.compliance.ledger import LedgerData


def _number(value: Decimal) -> float | int:
    # Hours are multiples of 0.25 (exact in binary); a spreadsheet wants numbers, not text.
    return int(value) if value == value.to_integral_value() else float(value)


def _unit(rule: Any) -> str:
    if rule.metric in COUNT_METRICS:
        return _("unit: times")
    if rule.metric == TOPIC_SHARE:
        return "%"
    return _("unit: study hours")


def _rule_columns(rules: Any) -> list[Column]:
    """Per rule, four columns that each say what they hold and in which unit."""
    columns: list[Column] = []
    for rule in rules:
        names = {"rule": rule.name, "unit": _unit(rule)}
        columns += [
            Column(_("%(rule)s: required (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: achieved (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: still owed (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: status") % names),
        ]
    return columns


def ledger_workbook(data: LedgerData, org_above: Mapping[int, str] | None = None) -> bytes:
    """The 台账 workbook of `data`, headers in Chinese whatever the reader's language; beside
    each branch, the orgs above it (`org_above`: org id → `orgs.selectors.org_above_label`).
    Hours by type count each entry under its one type; the two "of which" columns count the
    entries marked concentrated (or online) whatever their type, so they are not the sums of
    the type columns of the same name. The totals row adds up the hour columns shown."""
    rows, by_kind, rules = data.rows, data.by_kind, data.rules
    above = org_above or {}
    with translation.override("zh-hans"):
        columns = [Column(_("name")), Column(_("branch")), Column(_("Organization above"))]
        columns += [
            Column(_("%(kind)s hours (by type)") % {"kind": label}, "hours")
            for _value, label in Kind.choices
        ]
        columns += [
            Column(_("Study hours, all types"), "hours"),
            Column(_("Of which: hours marked concentrated (any type)"), "hours"),
            Column(_("Of which: hours marked online (any type)"), "hours"),
        ]
        columns += _rule_columns(rules)
        book = LedgerBook()
        sheet = book.sheet(
            _("Study-hour ledger"),
            title=ledger_title(
                data.org.name, _("%(year)s study-hour ledger") % {"year": data.year}
            ),
            org=data.org.name,
            period=year_period(data.year),
            columns=columns,
            freeze_columns=2,
        )
        sums = [Decimal(0)] * (len(Kind.values) + 3)
        for mc in rows:
            figures = [by_kind.get((mc.member_id, kind), Decimal(0)) for kind in Kind.values]
            figures += [mc.totals.total, mc.totals.concentrated, mc.totals.online]
            sums = [a + b for a, b in zip(sums, figures, strict=True)]
            values: list[Any] = [mc.name, mc.org_name, above.get(mc.org_id, "")]
            values += [_number(value) for value in figures]
            values += _rule_cells(mc.results, rules)
            sheet.append(values)
        sheet.totals(
            [_("Total"), _("%(n)s members") % {"n": len(rows)}, None]
            + [_number(value) for value in sums]
        )
        return book.save()


def _rule_cells(results: Any, rules: Any) -> list[Any]:
    """Per rule: required, achieved, still owed and status; four blanks where it does not apply."""
    by_rule = {r.requirement_id: r for r in results}
    cells: list[Any] = []
    for rule in rules:
        result = by_rule.get(rule.pk)
        if result is None:
            cells += ["", "", "", ""]
            continue
        cells += [
            _number(result.required),
            _number(result.achieved),
            _number(result.gap),
            str(STATUS_LABELS[result.status]),
        ]
    return cells


def drilldown_workbook(data: Drilldown) -> bytes:
    """The members behind (or at risk) as .xlsx, each with the path of their branch (branches
    of the same name are told apart) and, per rule that put someone on the list, what the rule
    requires, what they achieved, what they still owe and their status. Rows need their
    `branch_path` attached."""
    if data.rule is not None:
        rules = [data.rule]
    else:
        used = {r.requirement_id for row in data.rows for r in row.shown}
        rules = [rule for rule in data.rules if rule.pk in used]
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Members behind on study hours"),
            title=ledger_title(
                data.org.name,
                _("%(year)s members behind on study hours") % {"year": data.year},
            ),
            org=data.org.name,
            period=f"{year_period(data.year)}（{as_of_period(data.as_of)}）",
            columns=[Column(_("name")), Column(_("branch")), *_rule_columns(rules)],
            freeze_columns=1,
        )
        for row in data.rows:
            values: list[Any] = [row.member.name, " › ".join(row.branch_path)]
            values += _rule_cells(row.member.results, rules)
            sheet.append(values)
        return book.save()


# -- printable documents -------------------------------------------------------------------------


def hours_text(value: Decimal) -> str:
    """2.50 → "2.5", 32.00 → "32": hours as a document writes them."""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "") else text


def render(doc: Printable, fmt: str) -> bytes:
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def archive_printable(archive: Archive, *, printed_on: dt.date) -> Printable:
    """The 培训档案 as a printable document: the member's facts (no ID number), the hours of the
    years by kind, each rule's result per year, every counted line, the classes and the tests."""
    member = archive.member
    with translation.override("zh-hans"):
        doc = Printable(
            title=_("Training record"),
            author=archive.org_name,
            subject=_("Training record of %(name)s, %(span)s")
            % {"name": member.name, "span": archive.span},
        )
        doc.add(
            Para(
                _("(%(span)s)") % {"span": archive.span},
                align="center",
                indent=False,
            )
        )
        section = iter(range(10))
        doc.add(Heading(numbered_heading(next(section)) + _("Basic facts")))
        doc.add(
            Table(
                headers=[
                    _("name"),
                    _("Party organization"),
                    _("member status"),
                    _("date joined the Party"),
                ],
                rows=[
                    [
                        member.name,
                        archive.org_name,
                        str(archive.status_label),
                        archive.joined_on or "—",
                    ]
                ],
                aligns=["c", "l", "c", "c"],
            )
        )
        figures = archive.figures
        doc.add(Heading(numbered_heading(next(section)) + _("Study hours")))
        doc.add(
            Para(
                _(
                    "%(span)s: %(total)s hours confirmed in all, of which %(conc)s in "
                    "concentrated training and %(online)s online."
                )
                % {
                    "span": archive.span,
                    "total": hours_text(figures.total),
                    "conc": hours_text(figures.concentrated),
                    "online": hours_text(figures.online),
                }
            )
        )
        years = [y.year for y in archive.years]
        kinds = [k.kind for k in figures.by_kind]
        labels = dict(Kind.choices)
        per_year = {y.year: {k.kind: k.hours for k in y.by_kind} for y in archive.years}
        rows: list[list[Any]] = []
        for kind in kinds:
            rows.append(
                [str(labels[kind])]
                + [hours_text(per_year[y].get(kind, Decimal(0))) for y in years]
                + (
                    [hours_text(next(k.hours for k in figures.by_kind if k.kind == kind))]
                    if len(years) > 1
                    else []
                )
            )
        totals_row: list[Any] = [_("Total")] + [hours_text(y.total) for y in archive.years]
        if len(years) > 1:
            totals_row.append(hours_text(figures.total))
        rows.append(totals_row)
        doc.add(
            Table(
                headers=[_("Kind")]
                + [str(y) for y in years]
                + ([_("Total")] if len(years) > 1 else []),
                rows=rows,
                aligns=["l"] + ["r"] * (len(years) + (1 if len(years) > 1 else 0)),
            )
        )
        doc.add(Heading(numbered_heading(next(section)) + _("Requirements")))
        rule_rows = [
            [
                str(y.year),
                r.result.name,
                hours_text(r.result.required),
                hours_text(r.result.achieved),
                hours_text(r.result.gap),
                str(r.status_label),
            ]
            for y in archive.years
            for r in y.rules
        ]
        if rule_rows:
            doc.add(
                Table(
                    headers=[
                        _("Year"),
                        _("Rule"),
                        _("Required by the rule"),
                        _("Achieved"),
                        _("Still owed"),
                        _("Status"),
                    ],
                    rows=rule_rows,
                    aligns=["c", "l", "r", "r", "r", "c"],
                )
            )
        else:
            doc.add(Para(_("No rule covers this member in these years.")))
        doc.add(Heading(numbered_heading(next(section)) + _("Entries")))
        for level, y in enumerate(archive.years):
            doc.add(Heading(f"（{numbered_heading(level)[:-1]}）{y.year}", level=2))
            if not y.entries:
                doc.add(Para(_("No entries in this year.")))
                continue
            doc.add(
                Table(
                    headers=[_("Date"), _("Activity"), _("Kind"), _("Hours"), _("source")],
                    rows=[
                        [
                            e.on,
                            e.title + (" " + _("(reversal)") if e.is_reversal else ""),
                            str(e.kind_label),
                            hours_text(e.hours),
                            str(e.source_label),
                        ]
                        for e in y.entries
                    ],
                    aligns=["c", "l", "l", "r", "c"],
                )
            )
        doc.add(Heading(numbered_heading(next(section)) + _("Training classes attended")))
        if archive.classes:
            doc.add(
                Table(
                    headers=[_("Date"), _("training class"), _("Hours"), _("Completion")],
                    rows=[
                        [c.on, c.title, hours_text(c.hours) if c.hours else "—", c.outcome]
                        for c in archive.classes
                    ],
                    aligns=["c", "l", "r", "c"],
                )
            )
        else:
            doc.add(Para(_("None in these years.")))
        doc.add(Heading(numbered_heading(next(section)) + _("Knowledge tests passed")))
        if archive.tests:
            doc.add(
                Table(
                    headers=[_("Date"), _("Test"), _("Hours"), _("Result")],
                    rows=[
                        [t.on, t.title, hours_text(t.hours) if t.hours else "—", t.outcome]
                        for t in archive.tests
                    ],
                    aligns=["c", "l", "r", "c"],
                )
            )
        else:
            doc.add(Para(_("None in these years.")))
        doc.add(Heading(numbered_heading(next(section)) + _("Online courses completed")))
        if archive.courses:
            doc.add(
                Table(
                    headers=[_("Date"), _("Course"), _("Hours"), _("Evidence")],
                    rows=[
                        [c.on, c.title, hours_text(c.hours) if c.hours else "—", c.outcome]
                        for c in archive.courses
                    ],
                    aligns=["c", "l", "r", "l"],
                )
            )
        else:
            doc.add(Para(_("None in these years.")))
        doc.add(
            Para(
                _("Printed on %(day)s from the study-hour ledger.")
                % {"day": chinese_date(printed_on)},
                align="right",
                indent=False,
                size=12,
            )
        )
    return doc


def archive_file(archive: Archive, fmt: str, *, printed_on: dt.date | None = None) -> bytes:
    return render(archive_printable(archive, printed_on=printed_on or timezone.localdate()), fmt)


def certificate_printable(certificate: HoursCertificate) -> Printable:
    """The 学时证明 as issued: its serial number, the member, the years, the hours in all and by
    kind as stated when issued, the issuing org and the date of issue, room for the seal."""
    member = certificate.member
    span = (
        str(certificate.first_year)
        if certificate.first_year == certificate.last_year
        else f"{certificate.first_year}—{certificate.last_year}"
    )
    with translation.override("zh-hans"):
        doc = Printable(
            title=_("Certificate of study hours"),
            signature=certificate.org.name,
            dated=certificate.issued_on,
            author=certificate.org.name,
            subject=certificate.serial,
        )
        doc.add(
            Para(
                _("No. %(serial)s") % {"serial": certificate.serial},
                align="right",
                indent=False,
                size=12,
            ),
            Para(
                _(
                    "This is to certify that comrade %(name)s (%(org)s) took part in Party member "
                    "education and training in %(span)s and earned %(total)s study hours, of "
                    "which %(conc)s in concentrated training and %(online)s online. By kind:"
                )
                % {
                    "name": member.name,
                    "org": member.org.name,
                    "span": span,
                    "total": hours_text(certificate.total),
                    "conc": hours_text(certificate.concentrated),
                    "online": hours_text(certificate.online),
                }
            ),
            Table(
                headers=[_("Kind"), _("Hours")],
                rows=[[str(k.label), hours_text(k.hours)] for k in certificate_kinds(certificate)]
                + [[_("Total"), hours_text(certificate.total)]],
                aligns=["l", "r"],
                size=14,
            ),
            Para(_("We hereby certify the above.")),
            Para(""),
            Para(_("(seal)"), align="right", indent=False),
        )
    return doc


def certificate_file(certificate: HoursCertificate, fmt: str) -> bytes:
    return render(certificate_printable(certificate), fmt)
