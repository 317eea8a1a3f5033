"""Files of the accounts app: the activation slips (激活通知单), one page per member, as .docx
(to edit) and PDF (to print as it is). Both are built from the same `SlipRow`s, which the view
makes from one call of `services.activation_slips_issue`."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.shape import CT_Inline
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from peixun.core.docxstyle import (
    FANGSONG,
    HEITI,
    docx_a4,
    docx_chinese,
    docx_font,
    docx_paragraph,
)
from peixun.core.printable import PDF_FONT, PDF_SERIF, pdf_with_cjk_font


@dataclass(frozen=True)
class SlipRow:
    name: str
    branch: str  # the org's path, e.g. 县统计局党总支 › 办公室党支部
    login: str
    code: str
    expires_at: dt.datetime
    url: str  # the activation page with the code filled in


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def _slip_fields(row: SlipRow) -> list[tuple[str, str]]:
    expires = timezone.localtime(row.expires_at)
    return [
        (_("Full name"), row.name),
        (_("Branch"), row.branch),
        (_("Login"), row.login),
        (_("Activation code"), row.code),
        (_("Valid until"), expires.strftime("%Y-%m-%d %H:%M")),
    ]


def _slip_instructions(row: SlipRow) -> str:
    return _(
        "Scan the code with your phone, or open %(url)s and type the activation "
        "code, then choose your own password. The code works once; after activation "
        "log in with your login and that password."
    ) % {"url": row.url.split("?", 1)[0]}


def activation_slips(rows: Sequence[SlipRow], *, site_name: str = "") -> bytes:
    """A .docx with one A4 page per member: name, branch, login, the activation code, its expiry
    and a QR code to the activation page with the code filled in."""
    with translation.override("zh-hans"):
        document = Document()
        docx_a4(document)
        docx_chinese(document)  # Chinese defaults, theme and language; no python-docx leftovers
        properties = document.core_properties
        properties.title = _("Activation slip")
        properties.author = properties.last_modified_by = site_name
        properties.created = properties.modified = timezone.now()
        last: Paragraph | None = None
        shape_ids = itertools.count(document.part.next_id)
        for row in rows:
            if last is not None:
                # The page's last paragraph, kept: `document.paragraphs` rebuilds the list of
                # every paragraph on each call, which made 1,000 slips take minutes.
                last.add_run().add_break(WD_BREAK.PAGE)
            docx_paragraph(
                document,
                _("Activation slip"),
                font=HEITI,
                size=22,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
            )
            if site_name:
                docx_paragraph(
                    document, site_name, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
                )
            docx_paragraph(document, indent=False)
            for label, value in _slip_fields(row):
                paragraph = docx_paragraph(document, indent=False)
                docx_font(paragraph.add_run(f"{label}："), HEITI, 16)
                docx_font(
                    paragraph.add_run(value),
                    FANGSONG,
                    18 if label == _("Activation code") else 16,
                    bold=label == _("Activation code"),
                )
            docx_paragraph(document, indent=False)
            picture = document.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            rid, image = document.part.get_or_add_image(_qr_png(row.url))
            width, height = image.scaled_dimensions(Mm(45), None)
            # What run.add_picture does, with the shape ids counted here: python-docx finds the
            # next id by searching the whole document, which made 1,000 slips take a minute.
            inline = CT_Inline.new_pic_inline(next(shape_ids), rid, image.filename, width, height)
            picture.add_run()._r.add_drawing(inline)
            last = docx_paragraph(
                document,
                _slip_instructions(row),
                size=14,
                # Justified, the long address would spread the characters before it apart.
                align=WD_ALIGN_PARAGRAPH.LEFT,
                indent=False,
            )
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


# --- PDF


def _pdf_qr(pdf: FPDF, url: str, *, size: float) -> None:
    """The QR code of `url` drawn as vector squares (each run of dark modules in a row is one
    rectangle), centred, `size` mm wide, below the current position; the cursor moves past it.
    Sharper than a picture at any printer's resolution, and no PNG to encode and decode per page."""
    matrix = [list(row) for row in segno.make(url, error="m").matrix_iter(border=0)]
    module = size / len(matrix)
    left, top = (pdf.w - size) / 2, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for y, cells in enumerate(matrix):
        x = 0
        while x < len(cells):
            if not cells[x]:
                x += 1
                continue
            start = x
            while x < len(cells) and cells[x]:
                x += 1
            pdf.rect(left + start * module, top + y * module, (x - start) * module, module, "F")
    pdf.set_y(top + size + 2)


def activation_slips_pdf(rows: Sequence[SlipRow], *, site_name: str = "") -> bytes:
    """The slips of `activation_slips` as a PDF: one A4 page per member with the same fields, the
    QR code, and the activation address with the code filled in."""
    with translation.override("zh-hans"):
        pdf = pdf_with_cjk_font()
        pdf.set_margins(20, 20, 20)
        pdf.set_auto_page_break(auto=False)
        pdf.set_title(_("Activation slip"))
        pdf.set_author(site_name)
        pdf.set_creator("peixun")
        pdf.set_lang("zh-CN")
        pdf.set_creation_date(timezone.now())
        width = pdf.epw  # the width between the margins
        for row in rows:
            pdf.add_page()
            pdf.set_font(PDF_FONT, "B", 22)
            pdf.cell(
                width, 14, _("Activation slip"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            if site_name:
                pdf.set_font(PDF_FONT, "", 13)
                pdf.cell(width, 8, site_name, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(8)
            for label, value in _slip_fields(row):
                is_code = label == _("Activation code")
                pdf.set_font(PDF_FONT, "", 13)
                pdf.set_text_color(90, 90, 90)
                pdf.cell(34, 11 if is_code else 9, f"{label}：")
                pdf.set_text_color(0, 0, 0)
                # The code in 黑体 bold to be read aloud; the rest in 仿宋's stand-in.
                pdf.set_font(
                    PDF_FONT if is_code else PDF_SERIF,
                    "B" if is_code else "",
                    20 if is_code else 14,
                )
                height = 11 if is_code else 9
                if pdf.get_string_width(value) <= width - 36:
                    # One line: a plain cell, several times cheaper than multi_cell's breaking.
                    pdf.cell(width - 34, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                else:
                    pdf.multi_cell(width - 34, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(6)
            _pdf_qr(pdf, row.url, size=55)
            pdf.set_font(PDF_FONT, "", 8)
            pdf.set_text_color(90, 90, 90)
            pdf.multi_cell(
                width, 4, row.url, align=Align.C, link=row.url, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.set_text_color(0, 0, 0)
            pdf.ln(6)
            pdf.set_font(PDF_SERIF, "", 12)
            pdf.multi_cell(
                width,
                7,
                _slip_instructions(row),
                align=Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        return bytes(pdf.output())
