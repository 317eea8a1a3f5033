"""Word documents in the official layout (GB/T 9704: A4, 仿宋 body at 16 pt on a 28 pt line,
方正小标宋 titles, a red rule under the issuing organisation), shared by every app's documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
RED = RGBColor(0xE0, 0x00, 0x00)
CHINESE_NUMERALS = "一二三四五六七八九十"


def docx_font(run: Any, name: str, size: float, *, bold: bool = False, color: Any = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word picks the East Asian font from w:eastAsia, not from the run's plain font name.
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)


def docx_paragraph(
    document: Any,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = 16,
    bold: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    color: Any = None,
) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        docx_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def docx_red_rule(paragraph: Paragraph) -> None:
    """A red bottom border under the issuing organisation's name (the 版头 separator)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "E00000")
    borders.append(bottom)
    p_pr.append(borders)


def docx_a4(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def chinese_date(day: dt.date) -> str:
    return _("%(year)s-%(month)s-%(day)s") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def numbered_heading(index: int) -> str:
    return CHINESE_NUMERALS[index] + "、" if index < len(CHINESE_NUMERALS) else f"{index + 1}."
