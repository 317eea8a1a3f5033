"""A yearly report as one printable document (core.printable), rendered to .docx in the official
layout and to PDF: the title, the opening, the four sections (the user's text around the
sentences written from the figures), the 落款 and date, then an appendix that lists each figure
with its value, its definition and the page that lists the rows behind it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.docxstyle import chinese_date, numbered_heading
from peixun.core.printable import Heading, Para, Printable, render_docx, render_pdf
from peixun.orgs.models import Organization

from ..selectors.drafts import Report


def _paragraphs(text: str) -> list[Para]:
    return [Para(line.strip()) for line in text.splitlines() if line.strip()]


def report_printable(report: Report, *, site: str = "", today: dt.date | None = None) -> Printable:
    """The report's document; `site` (e.g. https://peixun.example.org) prefixes the drill-down
    links of the appendix."""
    draft = report.draft
    # 成文日期: the draft's date when given, else the day of export.
    dated = draft.dated or today or timezone.localdate()
    above = Organization.objects.get_parent(draft.org) if draft.org.depth > 1 else None
    doc = Printable(
        title=draft.title,
        author=draft.org.name,
        subject=report.kind_label,
        # A report goes to the org above (主送机关); the root's report names none.
        addressee=above.name if above is not None else "",
        signature=draft.org.name,
        dated=dated,
        attachments=[_("The figures of this report")],
    )
    doc.add(*_paragraphs(draft.opening))
    for index, section in enumerate(report.sections):
        body = [*_paragraphs(section.before)]
        if section.sentences:
            body.append(Para("".join(s.text for s in section.sentences)))
        body.extend(_paragraphs(section.after))
        if not body:
            continue
        doc.add(Heading(numbered_heading(index) + section.heading), *body)
    # The appendix is the report's 附件: after the 落款, on pages of its own (GB/T 9704 8).
    annex = doc.annex
    annex.append(Heading(_("Attachment")))
    annex.append(Para(_("The figures of this report"), indent=False, align="center", bold=True))
    annex.append(
        Para(
            _(
                "Computed from the records of %(org)s and the organizations below it for"
                " %(period)s, entries dated up to %(end)s."
            )
            % {
                "org": draft.org.name,
                "period": report.period.label,
                "end": chinese_date(report.period.end),
            },
            size=12,
        )
    )
    # A list rather than a table: definitions are sentences, links are long, and both read
    # better at the body's width than squeezed into columns.
    for number, figure in enumerate(report.figures.values(), start=1):
        value = f"{figure.text} {figure.unit_label}".strip()
        if figure.parts_text:
            value = f"{value}（{figure.parts_text}）"
        annex.extend(
            (
                Para(f"{number}. {figure.label}：{value}", indent=False, size=12, bold=True),
                Para(figure.definition, size=12),
                Para(_("Rows behind it: %(url)s") % {"url": f"{site}{figure.url}"}, size=10.5),
            )
        )
    return doc


def report_docx(report: Report, *, site: str = "") -> bytes:
    return render_docx(report_printable(report, site=site))


def report_pdf(report: Report, *, site: str = "") -> bytes:
    return render_pdf(report_printable(report, site=site))
