"""A `Printable` as .docx, laid out as GB/T 9704-2012 lays out a 公文 (the same rules as the PDF,
pdf.py): A4 and the 版心, the 28 × 22 grid (sectPr w:docGrid) for a document with an issuer, the
red 发文机关标志 35 mm under the top of the 版心, 发文字号 and red rule, title, 主送机关, body,
附件说明, 落款 and 成文日期 (with the seal's room when sealed), the 版记 as a table anchored to the
foot of the last page, and "— N —" page numbers in two footers (odd pages right, even left).

The contents page is a TOC field that Word and LibreOffice can update; until then it shows the
entries with the pages the PDF of the same document puts them on (`contents_pages`: the two
renderers lay out alike, so the numbers agree unless a reader's fonts differ much)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone, translation
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from ..docxstyle import (
    BODY_SIZE,
    CHAR_PITCH,
    CONDENSE_TWENTIETHS,
    FANGSONG,
    HEITI,
    KAITI,
    LINE_PITCH_TWIPS,
    RED,
    SONGTI,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    XIAOBIAOSONG,
    chinese_date,
    docx_a4,
    docx_chinese,
    docx_condense,
    docx_font,
    docx_grid,
    docx_paragraph,
    docx_red_rule,
    docx_snap,
    ppr_insert,
)
from .model import (
    Block,
    Contents,
    Heading,
    PageBreak,
    Para,
    Printable,
    Spacer,
    Table,
    attachment_lines,
    cell_text,
    contents_entries,
    fitted_widths,
)
from .pdf import ISSUER_MAX_SIZE, balanced_lines, contents_pages

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
_MM_PER_PT = 25.4 / 72
_LINE_PT = LINE_PITCH_TWIPS / 20
CELL_MARGIN = 1 / _MM_PER_PT  # points: a table cell's margin left and right, 1 mm


# Punctuation below U+2E80 that a Chinese font draws a full em wide (一字线, quotes, ellipsis).
_WIDE_PUNCTUATION = frozenset("—―–…“”‘’·")


def _wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F or ch in _WIDE_PUNCTUATION


def text_width(text: str, size: float, *, grid: bool = False) -> float:
    """Points a line of `text` takes: a Chinese character an em (the grid's pitch on the grid),
    a Latin letter or digit half of one (宋体's and 仿宋's are)."""
    em = BODY_SIZE + CONDENSE_TWENTIETHS / 20 if grid and size == BODY_SIZE else size
    return sum(em if _wide(ch) else em * 0.5 for ch in text)


def _field(paragraph: Paragraph, instruction: str, font: str, size: float) -> None:
    """A field (PAGE, TOC, …) in one run: begin, instruction, end; readers fill in its value."""
    run = paragraph.add_run()
    docx_font(run, font, size)
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._element.append(element)


def _page_numbers(document: Any) -> None:
    """GB/T 9704 7.5: "— N —" in 4号半角宋体 under the 版心, an odd page's right with one
    character's space, an even page's left (w:evenAndOddHeaders and a footer for each)."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.line_spacing = Pt(14)
        fmt.space_before = fmt.space_after = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(14)
        else:
            fmt.left_indent = Pt(14)
        docx_snap(paragraph, False)
        docx_font(paragraph.add_run("— "), SONGTI, 14)
        _field(paragraph, "PAGE", SONGTI, 14)
        docx_font(paragraph.add_run(" —"), SONGTI, 14)


def _outline(paragraph: Paragraph, level: int) -> None:
    """An outline level, which a TOC field with \\u collects (and Word's navigation shows)."""
    p_pr = paragraph._p.get_or_add_pPr()
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(max(0, level - 1)))
    ppr_insert(p_pr, element)


_TBL_PR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange",
]  # fmt: skip


def _tbl_pr_insert(tbl_pr: Any, element: Any) -> None:
    """`element` into a w:tblPr in its schema place (LibreOffice ignores one out of order)."""
    name = element.tag.split("}")[1]
    later = _TBL_PR_ORDER[_TBL_PR_ORDER.index(name) + 1 :]
    for child in tbl_pr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def _row_flags(row: Any, *, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))  # no row breaks across pages
    if header:
        element = OxmlElement("w:tblHeader")  # the header row repeats on each page
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _condense_body(document: Any) -> None:
    """Every 三号 run of the body (not the tables' nor the 版记's) condensed to the grid."""
    for run_element in document.element.body.iter(qn("w:r")):
        r_pr = run_element.find(qn("w:rPr"))
        size = r_pr.find(qn("w:sz")) if r_pr is not None else None
        if size is None or size.get(qn("w:val")) != str(int(BODY_SIZE * 2)):
            continue
        if any(parent.tag == qn("w:tbl") for parent in run_element.iterancestors()):
            continue
        docx_condense(run_element)


class _Writer:
    def __init__(self, doc: Printable) -> None:
        self.doc = doc
        self.grid = bool(doc.issuer)
        self.document = Document()
        self.width_pt = TEXT_WIDTH / _MM_PER_PT if not doc.landscape else TEXT_HEIGHT / _MM_PER_PT

    def paragraph(self, text: str = "", **kwargs: Any) -> Paragraph:
        return docx_paragraph(self.document, text, **kwargs)

    def blank(self, lines: int = 1) -> None:
        for _ in range(lines):
            self.paragraph(indent=False)

    # --- 版头 and title

    def head(self) -> None:
        doc = self.doc
        if doc.issuer:
            size = min(ISSUER_MAX_SIZE, self.width_pt / text_width(doc.issuer, 1) * 0.98)
            issuer = self.paragraph(
                doc.issuer,
                font=XIAOBIAOSONG,
                size=size,
                color=RED,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
            )
            fmt = issuer.paragraph_format
            fmt.line_spacing = Pt(size * 1.2)
            # 7.2.2: the characters' top 35 mm under the top of the 版心 (the line's leading
            # above the characters is part of the 35 mm).
            fmt.space_before = Mm(35) - Pt(size * 0.2)
            last = issuer
            if doc.reference:
                self.blank(2)  # 7.2.3: two blank lines under the 发文机关标志
                last = self.paragraph(doc.reference, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            # 7.2.5: 4 mm under the 发文字号's characters, whose foot is ~6 pt above the line's.
            docx_red_rule(last, space=4 / _MM_PER_PT - 6)
            self.blank(2)  # 7.3.1: the title two lines under the red rule
        size = doc.title_size
        title = self.paragraph(
            font=XIAOBIAOSONG, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
        )
        if size > 22:
            title.paragraph_format.line_spacing = Pt(size * 1.5)
        lines = balanced_lines(doc.title, self.width_pt, lambda text: text_width(text, size))
        for index, line in enumerate(lines):
            run = title.add_run(line)
            docx_font(run, XIAOBIAOSONG, size)
            if index < len(lines) - 1:
                run.add_break()
        self.blank()  # 7.3.2: the 主送机关 one line under the title
        if doc.addressee:
            self.paragraph(f"{doc.addressee}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)

    # --- blocks

    def heading(self, block: Heading) -> None:
        font = {1: HEITI, 2: KAITI}.get(block.level, FANGSONG)
        paragraph = self.paragraph(block.text, font=font, align=WD_ALIGN_PARAGRAPH.LEFT)
        paragraph.paragraph_format.keep_with_next = True
        if block.in_contents:
            _outline(paragraph, block.level)

    def contents(self, block: Contents) -> None:
        """A TOC field over the outline levels of the headings `in_contents`, its result filled
        in: each entry, dot leaders and the page number at the right edge."""
        self.paragraph(
            block.title, font=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
        )
        self.blank()
        entries = contents_entries(self.doc)
        pages = contents_pages(self.doc)
        paragraphs: list[Paragraph] = []
        for entry, page in zip(entries, pages, strict=True):
            paragraph = self.paragraph(indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            fmt = paragraph.paragraph_format
            fmt.left_indent = Pt(CHAR_PITCH * 2 * max(0, entry.level - 1))
            fmt.tab_stops.add_tab_stop(
                Pt(self.width_pt - 1), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )
            docx_font(paragraph.add_run(entry.text), FANGSONG, BODY_SIZE)
            docx_font(paragraph.add_run("\t"), FANGSONG, BODY_SIZE)
            docx_font(paragraph.add_run(str(page)), FANGSONG, BODY_SIZE)
            paragraphs.append(paragraph)
        if not paragraphs:
            paragraphs.append(self.paragraph(indent=False))

        def mark(kind: str) -> Any:
            run = OxmlElement("w:r")
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run.append(element)
            return run

        first = paragraphs[0]._p
        anchor = first.find(qn("w:pPr"))
        instruction = OxmlElement("w:r")
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = ' TOC \\o "1-3" \\h \\z \\u '
        instruction.append(text)
        for offset, element in enumerate((mark("begin"), instruction, mark("separate"))):
            first.insert((0 if anchor is None else first.index(anchor) + 1) + offset, element)
        paragraphs[-1]._p.append(mark("end"))
        self.document.add_page_break()  # type: ignore[no-untyped-call]

    def table(self, table: Table) -> None:
        def measure(text: str) -> float:
            # Points at the table's size: a CJK character is one em, a Latin one about half.
            # (Noto Serif CJK's digits are 0.56 em, 仿宋's 0.5: the wider, so none wraps.)
            return sum(table.size if _wide(ch) else table.size * 0.6 for ch in text)

        # The cells' own margins hold no text: 0.1 cm each side (Word's default, 0.19 cm,
        # took an 18-digit ID number's room in a table of seven columns).
        padding = 2 * CELL_MARGIN
        columns = len(table.headers)
        widths = [
            width + padding
            for width in fitted_widths(table, self.width_pt - padding * columns, measure)
        ]
        grid = self.document.add_table(rows=1, cols=len(table.headers))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), str(int(CELL_MARGIN * 20)))
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        _tbl_pr_insert(grid._tbl.tblPr, margins)
        # LibreOffice lays a table out by its grid columns, Word by the cells: set both.
        for index, column in enumerate(grid.columns):
            column.width = Pt(widths[index])

        def fill(cells: Any, values: Sequence[Any], *, bold: bool) -> None:
            for index, cell in enumerate(cells):
                cell.width = Pt(widths[index])
                paragraph = cell.paragraphs[0]
                align = table.aligns[index] if index < len(table.aligns) else "l"
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold else _CELL_ALIGN[align]
                fmt = paragraph.paragraph_format
                fmt.space_before = fmt.space_after = Pt(0)
                fmt.line_spacing = 1.0
                docx_snap(paragraph, False)
                text = cell_text(values[index]) if index < len(values) else ""
                docx_font(paragraph.add_run(text), FANGSONG, table.size, bold=bold)

        header = grid.rows[0]
        fill(header.cells, list(table.headers), bold=True)
        _row_flags(header, header=True)
        for values in table.rows:
            row = grid.add_row()
            fill(row.cells, list(values), bold=False)
            _row_flags(row)
        self.paragraph(indent=False)

    # --- 附件说明, 落款, 版记

    def attachments(self) -> None:
        if not self.doc.attachments:
            return
        self.blank()  # 7.3.4: one blank line under the body, two characters in
        lines = attachment_lines(self.doc.attachments)
        for index, line in enumerate(lines):
            paragraph = self.paragraph(line, indent=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            paragraph.paragraph_format.keep_with_next = index < len(lines) - 1

    def signature(self) -> None:
        """7.3.5 as in the PDF: sealed, the 成文日期 four characters from the right, the 落款
        centred over it and two blank lines of room for the seal above (kept on one page with
        them); else the 落款 two characters from the right, the date two characters right of
        its start."""
        doc = self.doc
        date = chinese_date(doc.dated) if doc.dated else ""
        if not (doc.signature or date):
            return
        ch = BODY_SIZE + CONDENSE_TWENTIETHS / 20 if self.grid else BODY_SIZE
        signature_width = text_width(doc.signature, BODY_SIZE, grid=self.grid)
        date_width = text_width(date, BODY_SIZE, grid=self.grid)
        if doc.sealed:
            date_right = 4 * ch
            signature_right = max(0.0, date_right + (date_width - signature_width) / 2)
            if not date:
                signature_right = 4 * ch
            blanks = 2
        else:
            signature_right = 2 * ch
            date_right = signature_right + signature_width - 2 * ch - date_width
            if date_right < 2 * ch:
                date_right = 2 * ch
                signature_right = max(signature_right, 4 * ch + date_width - signature_width)
            blanks = 1
        for _ in range(blanks):
            self.paragraph(indent=False).paragraph_format.keep_with_next = True
        for text, right in ((doc.signature, signature_right), (date, date_right)):
            if text:
                paragraph = self.paragraph(text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
                paragraph.paragraph_format.right_indent = Pt(right)
                paragraph.paragraph_format.keep_with_next = True

    def imprint(self) -> None:
        """7.4: the 版记 at the foot of the 版心 on the last page: 抄送 (a character in from each
        side, continued under its first name) and 印发机关 left with 印发日期 right, between
        full-width rules, the first and last thick (0.35 mm), the one between thin (0.25 mm).

        A table anchored to the bottom of the 版心 (w:tblpPr tblpYSpec "bottom"): Word and
        LibreOffice put it there however short the last page's text. Placed from the page's
        edge (horzAnchor "page"), because LibreOffice (7.4) keeps a floating table placed within
        the margins and nearly as wide as them in the flow, under the last line. (Framed
        paragraphs do not work either: LibreOffice makes no frame of paragraphs whose borders
        differ, and the rule between them must be thin.)"""
        doc = self.doc
        printed_on = f"{chinese_date(doc.printed_on)}印发" if doc.printed_on else ""
        rows: list[str] = []
        if doc.copy_to:
            rows.append("copy")
        if doc.printed_by or printed_on:
            rows.append("printed")
        if not rows:
            return
        width = self.width_pt
        table = self.document.add_table(rows=len(rows), cols=2)
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        position = OxmlElement("w:tblpPr")
        left = self.document.sections[0].left_margin or Mm(0)
        for name, value in (
            ("w:leftFromText", "0"),
            ("w:rightFromText", "0"),
            ("w:vertAnchor", "margin"),
            ("w:horzAnchor", "page"),
            ("w:tblpX", str(int(left.pt * 20))),
            ("w:tblpYSpec", "bottom"),
        ):
            position.set(qn(name), value)
        _tbl_pr_insert(tbl_pr, position)
        table_width = tbl_pr.find(qn("w:tblW"))
        table_width.set(qn("w:w"), str(int(width * 20)))
        table_width.set(qn("w:type"), "dxa")
        borders = OxmlElement("w:tblBorders")
        for side, size in (("top", 8), ("bottom", 8), ("insideH", 6)):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), str(size))  # eighths of a point: 1 pt, 0.75 pt
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
            borders.append(element)
        _tbl_pr_insert(tbl_pr, borders)
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), "0")
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        _tbl_pr_insert(tbl_pr, margins)
        em = 14.0
        date_width = text_width(printed_on, 14) + 4 * em  # room for a reader's spacing
        widths = [width - date_width, date_width]
        for index, column in enumerate(table.columns):
            column.width = Pt(widths[index])

        def line(cell: Any, text: str, align: Any) -> Paragraph:
            paragraph: Paragraph = cell.paragraphs[0]
            paragraph.alignment = align
            fmt = paragraph.paragraph_format
            fmt.line_spacing = Pt(_LINE_PT)
            fmt.space_before = fmt.space_after = Pt(0)
            docx_snap(paragraph, False)
            docx_font(paragraph.add_run(text), FANGSONG, 14)
            return paragraph

        for row, kind in zip(table.rows, rows, strict=True):
            for index, cell in enumerate(row.cells):
                cell.width = Pt(widths[index])
            if kind == "copy":
                cell = row.cells[0].merge(row.cells[1])
                fmt = line(cell, f"抄送：{doc.copy_to}。", WD_ALIGN_PARAGRAPH.LEFT).paragraph_format
                fmt.left_indent = Pt(em * 4)  # 7.4.2: continued lines under the first name
                fmt.first_line_indent = Pt(-em * 3)
                fmt.right_indent = Pt(em)
            else:
                # 7.4.3: 印发机关 a character in from the left, 印发日期 from the right.
                line(
                    row.cells[0], doc.printed_by, WD_ALIGN_PARAGRAPH.LEFT
                ).paragraph_format.left_indent = Pt(em)
                line(
                    row.cells[1], printed_on, WD_ALIGN_PARAGRAPH.RIGHT
                ).paragraph_format.right_indent = Pt(em)
            _row_flags(row)
        # A document ends with a paragraph; this one takes no room.
        end = self.paragraph(indent=False, size=1)
        end.paragraph_format.line_spacing = Pt(1)

    def properties(self) -> None:
        doc = self.doc
        properties = self.document.core_properties
        properties.author = properties.last_modified_by = doc.author or doc.signature or doc.issuer
        properties.title = doc.title
        properties.subject = doc.subject
        properties.language = "zh-CN"
        properties.created = properties.modified = timezone.now()
        properties.revision = 1

    def blocks(self, blocks: Sequence[Block]) -> None:
        document = self.document
        for block in blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Para):
                self.paragraph(
                    block.text,
                    size=block.size,
                    bold=block.bold,
                    align=_DOCX_ALIGN[block.align],
                    indent=block.indent,
                )
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, PageBreak):
                document.add_page_break()  # type: ignore[no-untyped-call]
            elif isinstance(block, Spacer):
                self.blank(block.lines)
            elif isinstance(block, Contents):
                self.contents(block)

    def render(self) -> bytes:
        doc, document = self.doc, self.document
        docx_a4(document, landscape=doc.landscape)
        has_contents = any(isinstance(block, Contents) for block in doc.blocks)
        docx_chinese(document, update_fields=has_contents)
        docx_grid(document, characters=self.grid)
        if doc.numbered:
            _page_numbers(document)
        self.head()
        self.blocks(doc.blocks)
        self.attachments()
        self.signature()
        if doc.annex:
            # GB/T 9704 8: an attachment starts on a page of its own, before the 版记.
            document.add_page_break()  # type: ignore[no-untyped-call]
            self.blocks(doc.annex)
        self.imprint()
        if self.grid:
            _condense_body(document)
        self.properties()
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def render_docx(doc: Printable) -> bytes:
    with translation.override("zh-hans"):
        return _Writer(doc).render()
