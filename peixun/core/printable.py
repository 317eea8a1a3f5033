"""One printable document, two files: a small model of an official document (title, issuer,
headings, paragraphs, tables, signature and date) rendered to .docx in the official layout
(`docxstyle`: GB/T 9704 A4 margins, 仿宋 body on a fixed line, 小标宋 title) and to PDF with the
configured CJK font (settings.PDF_FONT_FILE). Builders describe what a document says once; the
reader chooses the file. Tables repeat their header row on every page and never split a row (in
the PDF a row over half a page high continues as further rows); every column holds a few
characters and long text wraps by character. Each page is numbered "— N —" at the bottom. The PDF
font is parsed once per process (`pdf_with_cjk_font`); bench/pdf_font.py times a document.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, WrapMode, XPos, YPos
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from .docxstyle import (
    FANGSONG,
    HEITI,
    KAITI,
    RED,
    XIAOBIAOSONG,
    chinese_date,
    docx_a4,
    docx_font,
    docx_paragraph,
    docx_red_rule,
)

Alignment = Literal["justify", "left", "center", "right"]


@dataclass(frozen=True)
class Heading:
    """一、 (level 1, 黑体) or （一） (level 2, 楷体); the builder writes the numbering. A heading
    `in_contents` is listed, with its page number, on the document's `Contents` page."""

    text: str
    level: int = 1
    in_contents: bool = False


@dataclass(frozen=True)
class Para:
    text: str
    align: Alignment = "justify"
    indent: bool = True  # the first line indented by two characters
    size: float = 16  # 三号
    bold: bool = False


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    # Column alignment: "l", "c" or "r" per column (numbers read best right-aligned).
    aligns: Sequence[str] = ()
    size: float = 10.5  # 五号: tables hold more than the body's 三号


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Spacer:
    """Blank lines of the body's line height (room on a certificate, before a signature)."""

    lines: int = 1


@dataclass(frozen=True)
class Contents:
    """A contents page: every `Heading(in_contents=True)` that follows, with its page number.
    It ends with a page break."""

    title: str = "目　录"


Block = Heading | Para | Table | PageBreak | Spacer | Contents


@dataclass
class Printable:
    title: str
    blocks: list[Block] = field(default_factory=list)
    issuer: str = ""  # 发文机关标志, red above a red rule; empty for plain documents
    reference: str = ""  # 发文字号
    addressee: str = ""  # 主送机关
    signature: str = ""  # 落款: the issuing org's name
    dated: dt.date | None = None  # 成文日期
    author: str = ""  # metadata: the org the document speaks for
    subject: str = ""
    attachments: Sequence[str] = ()  # 附件说明: the names of the attachments, in order
    copy_to: str = ""  # 版记: 抄送
    printed_by: str = ""  # 版记: 印发机关
    printed_on: dt.date | None = None  # 版记: 印发日期
    sealed: bool = False  # room for the seal over the 落款 and 成文日期
    landscape: bool = False
    numbered: bool = True  # page numbers "— N —" at the bottom

    def add(self, *blocks: Block) -> Printable:
        self.blocks.extend(blocks)
        return self


def attachment_lines(names: Sequence[str]) -> list[str]:
    """附件说明 (GB/T 9704 7.3.4): "附件：1. …" and the further names aligned under the first."""
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    return [
        ("附件：" if index == 0 else "　　　") + f"{index + 1}. {name}"
        for index, name in enumerate(names)
    ]


def imprint_lines(doc: Printable) -> list[str]:
    """The 版记 (GB/T 9704 7.4): 抄送, then 印发机关 with 印发日期 on one line."""
    lines = []
    if doc.copy_to:
        lines.append(f"抄送：{doc.copy_to}。")
    if doc.printed_by or doc.printed_on:
        printed_on = f"{chinese_date(doc.printed_on)}印发" if doc.printed_on else ""
        lines.append(f"{doc.printed_by}　　{printed_on}".strip("　"))
    return lines


def _contents_entries(doc: Printable) -> list[Heading]:
    return [b for b in doc.blocks if isinstance(b, Heading) and b.in_contents]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return chinese_date(value)
    return str(value)


def fitted_widths(table: Table, total: float, measure: Any, *, min_chars: int = 4) -> list[float]:
    """Column widths in the units of `total`, in proportion to each column's widest content
    (`measure(text)`) while everything fits. When it does not, the columns that fit keep their
    width and the widest ones share what remains equally (a cap), never below a floor: room for
    `min_chars` characters (or two of the header's, if wider), so a long text or an unbreakable
    URL wraps by character in a column of a few characters, never in one narrower than a letter.
    Only when even the floors do not fit are all columns shrunk in proportion."""
    columns = len(table.headers)
    em = measure("中")
    wanted: list[float] = []
    for index in range(columns):
        texts = [cell_text(table.headers[index])] + [
            cell_text(row[index]) for row in table.rows[:200] if index < len(row)
        ]
        wanted.append(max(measure(text) for text in texts) + em)
    floor = [
        min(wanted[i], max(measure(cell_text(table.headers[i])[:2]) + em, min_chars * em))
        for i in range(columns)
    ]
    if sum(wanted) <= total:
        return [w * total / sum(wanted) for w in wanted]
    if sum(floor) >= total:
        return [w * total / sum(floor) for w in floor]

    def capped(cap: float) -> list[float]:
        return [min(wanted[i], max(floor[i], cap)) for i in range(columns)]

    # The cap at which the columns sum to `total`: sum(capped(cap)) grows with the cap.
    low, high = 0.0, max(wanted)
    for _ in range(60):
        middle = (low + high) / 2
        if sum(capped(middle)) > total:
            high = middle
        else:
            low = middle
    widths = capped(low)
    # Give the rounding's remainder to the capped (widest) columns.
    loose = [i for i in range(columns) if widths[i] < wanted[i]] or list(range(columns))
    spare = (total - sum(widths)) / len(loose)
    for i in loose:
        widths[i] += spare
    return widths


# --- .docx

_DOCX_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_CELL_ALIGN = {
    "l": WD_ALIGN_PARAGRAPH.LEFT,
    "c": WD_ALIGN_PARAGRAPH.CENTER,
    "r": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _docx_page_number(document: Any) -> None:
    """ "— N —" centred in the footer, N a PAGE field Word and LibreOffice fill in."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx_font(footer.add_run("— "), FANGSONG, 14)
    run = footer.add_run()
    docx_font(run, FANGSONG, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    docx_font(footer.add_run(" —"), FANGSONG, 14)


def _docx_language(document: Any) -> None:
    """zh-CN for the whole document, so a reader picks Chinese fonts and hyphenation."""
    styles = document.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    for attribute in ("w:val", "w:eastAsia"):
        lang.set(qn(attribute), "zh-CN")


def _docx_repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _docx_keep_row(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _docx_table(document: Any, table: Table, width_mm: float) -> None:
    def measure(text: str) -> float:
        # Points at the table's size: a CJK character is one em, a Latin one about half.
        return sum(table.size if ord(ch) > 0x2E7F else table.size * 0.55 for ch in text)

    widths = fitted_widths(table, width_mm * 72 / 25.4, measure)
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    # LibreOffice lays a table out by its grid columns, Word by the cells: set both.
    for index, column in enumerate(grid.columns):
        column.width = Pt(widths[index])

    def fill(cells: Any, values: Sequence[Any], *, bold: bool) -> None:
        for index, cell in enumerate(cells):
            cell.width = Pt(widths[index])
            paragraph = cell.paragraphs[0]
            align = table.aligns[index] if index < len(table.aligns) else "l"
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold else _CELL_ALIGN[align]
            text = cell_text(values[index]) if index < len(values) else ""
            docx_font(paragraph.add_run(text), FANGSONG, table.size, bold=bold)

    header = grid.rows[0]
    fill(header.cells, list(table.headers), bold=True)
    _docx_repeat_header(header)
    _docx_keep_row(header)
    for values in table.rows:
        row = grid.add_row()
        fill(row.cells, list(values), bold=False)
        _docx_keep_row(row)
    docx_paragraph(document, "", indent=False)


def render_docx(doc: Printable) -> bytes:
    document = Document()
    docx_a4(document)
    _docx_language(document)
    _docx_page_number(document)
    width_mm = 210 - 28 - 26
    if doc.issuer:
        issuer = docx_paragraph(
            document,
            doc.issuer,
            font=XIAOBIAOSONG,
            size=26,
            color=RED,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
        issuer.paragraph_format.line_spacing = Pt(40)
        if doc.reference:
            docx_paragraph(document, doc.reference, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        docx_red_rule(document.paragraphs[-1])
        docx_paragraph(document, "", indent=False)
    title = docx_paragraph(
        document,
        doc.title,
        font=XIAOBIAOSONG,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    title.paragraph_format.line_spacing = Pt(36)
    docx_paragraph(document, "", indent=False)
    if doc.addressee:
        docx_paragraph(document, f"{doc.addressee}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    for block in doc.blocks:
        if isinstance(block, Heading):
            font = HEITI if block.level == 1 else KAITI
            docx_paragraph(document, block.text, font=font, size=16)
        elif isinstance(block, Para):
            docx_paragraph(
                document,
                block.text,
                size=block.size,
                bold=block.bold,
                align=_DOCX_ALIGN[block.align],
                indent=block.indent,
            )
        elif isinstance(block, Table):
            _docx_table(document, block, width_mm)
        elif isinstance(block, PageBreak):
            document.add_page_break()  # type: ignore[no-untyped-call]
        elif isinstance(block, Spacer):
            for _ in range(block.lines):
                docx_paragraph(document, "", indent=False)
        elif isinstance(block, Contents):
            docx_paragraph(document, block.title, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
            for entry in _contents_entries(doc):
                docx_paragraph(document, entry.text, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            document.add_page_break()  # type: ignore[no-untyped-call]
    if doc.attachments:
        docx_paragraph(document, "", indent=False)
        for line in attachment_lines(doc.attachments):
            docx_paragraph(document, line, indent=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    if doc.signature or doc.dated:
        docx_paragraph(document, "", indent=False)
        for line in (doc.signature, chinese_date(doc.dated) if doc.dated else ""):
            if line:
                paragraph = docx_paragraph(
                    document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False
                )
                paragraph.paragraph_format.right_indent = Mm(8)
    for line in imprint_lines(doc):
        docx_paragraph(document, line, indent=False, size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
    properties = document.core_properties
    properties.author = properties.last_modified_by = doc.author or doc.signature or doc.issuer
    properties.title = doc.title
    properties.subject = doc.subject
    properties.language = "zh-CN"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF

PDF_FONT = "cjk"


class _NumberedPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-20)
        self.set_font(PDF_FONT, "", 12)
        self.cell(0, 8, f"— {self.page_no()} —", align=Align.C)


# Parsing the Noto CJK collection (cmap and widths of ~65,000 glyphs) takes a good part of a
# second per style: it is done once per process, and each new FPDF gets a copy of the parsed font
# with its own subset map and its own lazily opened fontTools font. The copy matters: fpdf2 subsets
# that fontTools font in place when it writes the file, so each PDF embeds only its own glyphs.
_PARSED_FONTS: dict[tuple[str, int, str], TTFFont] = {}
_PARSED_FONTS_LOCK = threading.Lock()
_DROPPED_TABLES = ("GDEF", "GPOS", "GSUB", "MATH", "BASE", "JSTF")


def _parsed_font(path: Path, index: int, style: str) -> TTFFont:
    key = (str(path), index, style)
    with _PARSED_FONTS_LOCK:
        if key not in _PARSED_FONTS:
            scratch = FPDF()
            scratch.add_font(PDF_FONT, style, path, collection_font_number=index)
            parsed = scratch.fonts[f"{PDF_FONT}{style}"]
            assert isinstance(parsed, TTFFont)
            parsed.ttfont.close()  # each document opens its own (below)
            _PARSED_FONTS[key] = parsed
        return _PARSED_FONTS[key]


def _add_parsed_font(pdf: FPDF, path: Path, index: int, style: str) -> None:
    """`pdf.add_font(PDF_FONT, style, path)`, from the font parsed once per process."""
    parsed = _parsed_font(path, index, style)
    if parsed.color_font is not None:  # pragma: no cover - not a CJK text font: no sharing
        pdf.add_font(PDF_FONT, style, path, collection_font_number=index)
        return
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(parsed, name):
            setattr(font, name, getattr(parsed, name))
    # Read-only and shared: name, desc, cmap, glyph_ids, scale, metrics. Per document:
    font.i = len(pdf.fonts) + 1
    font.cw = parsed.cw.copy()  # a defaultdict: reading a missing character inserts it
    font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, fontNumber=index, lazy=True)
    # Tables the subsetting drops anyway (fpdf2's drop_tables, fontTools' defaults): removed
    # before it, they are never decompiled (a fifth of the time of writing the file).
    for tag in _DROPPED_TABLES:
        if tag in font.ttfont:
            del font.ttfont[tag]
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


def pdf_with_cjk_font(*, numbered: bool = False) -> FPDF:
    """An A4 FPDF with the configured CJK font as PDF_FONT (its bold sibling, when there is one,
    as the bold style). Only the characters used are embedded, so a page is a few kilobytes. The
    font files are parsed once per process."""
    regular = Path(settings.PDF_FONT_FILE)
    if not regular.is_file():
        raise ImproperlyConfigured(
            f"PDF font {regular} not found: install Debian's fonts-noto-cjk or set PEIXUN_PDF_FONT."
        )
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    pdf = (_NumberedPDF if numbered else FPDF)(format="A4", unit="mm")
    index = int(settings.PDF_FONT_INDEX) if regular.suffix.lower() == ".ttc" else 0
    _add_parsed_font(pdf, regular, index, "")
    _add_parsed_font(pdf, bold if bold.is_file() else regular, index, "B")
    return pdf


def _pdf_line(size: float) -> float:
    """The line height in mm for a font size in points: 1.75 × the size, as the .docx's 28 pt
    line under a 16 pt body."""
    return size * 1.75 * 25.4 / 72


def _pdf_row_parts(
    pdf: FPDF, texts: list[str], widths: list[float], padding: float, line_height: float
) -> list[list[str]]:
    """A row as fpdf2 can print it: fpdf2 never splits a row and refuses one taller than a page,
    so a row over half a page high becomes several rows of at most that many lines each (the
    text wrapped as the table would, the lines kept in order, empty cells below short texts)."""
    most = max(1, int(pdf.eph / 2 / line_height))
    lines: list[list[str]] = [
        pdf.multi_cell(  # type: ignore[misc]
            width - 2 * padding + 2 * pdf.c_margin,  # multi_cell keeps c_margin each side
            line_height,
            text,
            dry_run=True,
            output=MethodReturnValue.LINES,
            wrapmode=WrapMode.CHAR,
        )
        if text
        else [""]
        for text, width in zip(texts, widths, strict=True)
    ]
    if max(len(cell) for cell in lines) <= most:
        return [texts]
    count = max(len(cell) for cell in lines)
    return [
        ["\n".join(cell[start : start + most]) for cell in lines] for start in range(0, count, most)
    ]


_PDF_TABLE_MIN_SIZE = 6.0  # points: the smallest a table's text gets to fit its columns


def _pdf_table(pdf: FPDF, table: Table) -> None:
    # fpdf2 wraps by character, and loops forever when a column cannot hold one character (an
    # empty line, then the same character again): every column holds at least its widest
    # character and the padding, at a smaller size if need be, or the table is refused.
    padding = 1.0
    size = table.size
    characters = {ch for text in table.headers for ch in cell_text(text)}
    for values in table.rows:
        for value in values:
            characters.update(cell_text(value))
    while True:
        pdf.set_font(PDF_FONT, "", size)
        widths = fitted_widths(table, pdf.epw, lambda text: pdf.get_string_width(text))
        widest = max((pdf.get_string_width(ch) for ch in characters), default=0.0)
        if min(widths) >= widest + 2 * padding + 0.01:
            break
        if size <= _PDF_TABLE_MIN_SIZE:
            raise ValueError(
                f"A table of {len(widths)} columns does not fit the page width {pdf.epw:.0f} mm."
            )
        size = max(_PDF_TABLE_MIN_SIZE, size - 1)
    aligns = [
        {"l": "LEFT", "c": "CENTER", "r": "RIGHT"}[
            table.aligns[i] if i < len(table.aligns) else "l"
        ]
        for i in range(len(table.headers))
    ]
    with pdf.table(
        col_widths=widths,
        width=min(sum(widths), pdf.epw),  # the shares may sum a hair above the page
        text_align=aligns,
        wrapmode=WrapMode.CHAR,
        line_height=size * 0.55,
        headings_style=FontFace(emphasis="BOLD"),
        padding=padding,
    ) as grid:
        header = grid.row()
        for text in table.headers:
            header.cell(cell_text(text), align=Align.C)
        for values in table.rows:
            texts = [
                cell_text(values[index]) if index < len(values) else ""
                for index in range(len(table.headers))
            ]
            for part in _pdf_row_parts(pdf, texts, widths, padding, size * 0.55):
                row = grid.row()
                for text in part:
                    row.cell(text)
    pdf.ln(3)


def render_pdf(doc: Printable) -> bytes:
    pdf = pdf_with_cjk_font(numbered=True)
    pdf.set_margins(28, 37, 26)
    pdf.set_auto_page_break(auto=True, margin=35)
    pdf.set_title(doc.title)
    pdf.set_author(doc.author or doc.signature or doc.issuer)
    pdf.set_subject(doc.subject)
    pdf.set_creator("peixun")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(timezone.now())
    pdf.add_page()
    width = pdf.epw
    if doc.issuer:
        pdf.set_text_color(0xE0, 0, 0)
        pdf.set_font(PDF_FONT, "B", 26)
        pdf.multi_cell(
            width,
            14,
            doc.issuer,
            align=Align.C,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
        if doc.reference:
            pdf.set_font(PDF_FONT, "", 16)
            pdf.cell(width, 10, doc.reference, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(0xE0, 0, 0)
        pdf.set_line_width(0.6)
        pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + width, pdf.get_y() + 2)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.ln(8)
    pdf.set_font(PDF_FONT, "B", 22)
    pdf.multi_cell(
        width,
        12,
        doc.title,
        align=Align.C,
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)
    body = _pdf_line(16)
    if doc.addressee:
        pdf.set_font(PDF_FONT, "", 16)
        pdf.multi_cell(
            width,
            body,
            f"{doc.addressee}：",
            align=Align.L,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    for block in doc.blocks:
        if isinstance(block, Heading):
            pdf.set_font(PDF_FONT, "B", 16)
            pdf.multi_cell(
                width,
                body,
                ("　　" + block.text),
                align=Align.L,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        elif isinstance(block, Para):
            pdf.set_font(PDF_FONT, "B" if block.bold else "", block.size)
            text = ("　　" if block.indent else "") + block.text
            align = {"justify": Align.J, "left": Align.L, "center": Align.C, "right": Align.R}[
                block.align
            ]
            pdf.multi_cell(
                width,
                _pdf_line(block.size),
                text,
                align=align,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        elif isinstance(block, PageBreak):
            pdf.add_page()
        elif isinstance(block, Spacer):
            pdf.ln(body * block.lines)
        elif isinstance(block, Contents):
            pdf.set_font(PDF_FONT, "B", 16)
            pdf.cell(width, body, block.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(PDF_FONT, "", 16)
            for entry in _contents_entries(doc):
                pdf.multi_cell(width, body, entry.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.add_page()
    if doc.attachments:
        pdf.ln(body)
        pdf.set_font(PDF_FONT, "", 16)
        for line in attachment_lines(doc.attachments):
            pdf.multi_cell(width, body, "　　" + line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.signature or doc.dated:
        pdf.ln(body)
        pdf.set_font(PDF_FONT, "", 16)
        for line in (doc.signature, chinese_date(doc.dated) if doc.dated else ""):
            if line:
                pdf.cell(width - 8, body, line, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    lines = imprint_lines(doc)
    if lines:
        pdf.ln(body)
        pdf.set_font(PDF_FONT, "", 14)
        for line in lines:
            pdf.multi_cell(width, body, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
