"""A `Printable` as PDF (fpdf2), laid out as GB/T 9704-2012 lays out a 公文: the 版心 156 × 225 mm
on A4; for a document with an issuer the body on the 28 × 22 grid (line pitch 225/22 mm, character
advance 156/28 mm at 三号), the red 发文机关标志 35 mm under the top of the 版心, the 发文字号 two
lines under it, the red rule 4 mm under that, the title two lines under the rule; 附件说明, 落款 and
成文日期 (with room for the seal when sealed), the 版记 at the foot of the last page and the page
numbers outside. `render_pdf` returns the file; `contents_pages` the page each contents entry
lands on, which the .docx's contents page shows."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone, translation
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from fpdf.outline import OutlineSection

from ..docxstyle import (
    BODY_SIZE,
    BOTTOM,
    CONDENSE_TWENTIETHS,
    LEFT,
    LINE_MM,
    RIGHT,
    TOP,
    chinese_date,
)
from .fonts import PDF_FONT, PDF_KAI, PDF_SERIF, pdf_with_cjk_font
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

_MM_PER_PT = 25.4 / 72
# The grid's character advance: 三号 condensed by a quarter point, as the .docx (docx_condense),
# so that 28 characters fit the 版心's 156 mm.
CHAR_SPACING = CONDENSE_TWENTIETHS / 20
CHAR_MM = (BODY_SIZE + CHAR_SPACING) * _MM_PER_PT
RED = (0xE0, 0, 0)
ISSUER_MAX_SIZE = 36.0  # 小初; a longer name is set smaller to stay on one line
SEAL_MM = 42.0  # GB/T 9704 7.3.5.1: the seal's diameter the 落款 leaves room for
_ALIGN = {"justify": Align.J, "left": Align.L, "center": Align.C, "right": Align.R}


def page_margins(doc: Printable) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in mm: GB/T 9704's, turned a quarter counter-clockwise when
    landscape (the 订口 at the bottom, a wide margin under the page number), as `docx_a4`."""
    if doc.landscape:
        return TOP, RIGHT, BOTTOM, LEFT
    return LEFT, TOP, RIGHT, BOTTOM


_NO_LINE_START = set("，。、；：？！”’）》〕】」』…—·")
_NO_LINE_END = set("“‘（《〔【「『")
_HANGING = set("，。、；：？！")


def balanced_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` in as few lines as fit `width`, of about equal length (a title never leaves one
    character alone on its last line), never breaking after an opening quote or bracket nor
    before a closing one or a comma."""
    if measure(text) <= width or len(text) < 2:
        return [text]
    count = math.ceil(measure(text) / width)
    while count < len(text):
        size = math.ceil(len(text) / count)
        breaks = list(range(size, len(text), size))
        for index, at in enumerate(breaks):
            low = breaks[index - 1] + 1 if index else 1
            while at > low and (text[at] in _NO_LINE_START or text[at - 1] in _NO_LINE_END):
                at -= 1
            breaks[index] = at
        lines = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
        if all(measure(line) <= width for line in lines):
            return lines
        count += 1
    return list(text)


_UNBREAKABLE = re.compile(r"[A-Za-z0-9.:%/@_+\-]+|.", re.S)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` broken into lines no wider than `width`: between any two Chinese characters, not
    inside a number or a Latin word (unless it is wider than a line), and by the Chinese rules
    (禁则): a line never starts with a closing mark nor ends with an opening one — the character
    before goes down with it."""
    lines: list[str] = []
    current, used = "", 0.0
    for token in _UNBREAKABLE.findall(text):
        for piece in list(token) if measure(token) > width else [token]:
            piece_width = measure(piece)
            if used + piece_width <= width + 1e-6 or not current:
                current, used = current + piece, used + piece_width
                continue
            if piece in _HANGING and used <= width + 1e-6:
                # A comma or full stop that does not fit hangs in the margin (as in Word and
                # LibreOffice) rather than take the line's last character down with it.
                current, used = current + piece, used + piece_width
                continue
            carried = ""
            if piece[0] in _NO_LINE_START and len(current) > 1:
                carried, current = current[-1], current[:-1]
            while len(current) > 1 and current[-1] in _NO_LINE_END:
                carried, current = current[-1] + carried, current[:-1]
            lines.append(current)
            current = carried + piece
            used = measure(current)
    lines.append(current)
    return lines


@dataclass
class _Layout:
    """One document being written: where the contents entries landed."""

    doc: Printable
    pdf: FPDF
    grid: bool
    heading_pages: list[int] = field(default_factory=list)
    outline_level: int = -1  # the last bookmark's level: fpdf2 refuses a jump of two
    _widths: dict[tuple[object, ...], dict[str, float]] = field(default_factory=dict)
    seal_room: tuple[int, float, float] | None = None  # page, top and bottom in mm

    @property
    def width(self) -> float:
        return self.pdf.epw

    def font(self, family: str, style: str, size: float) -> None:
        self.pdf.set_font(family, style, size)
        # On the grid a 三号 character advances a little under its 16 pt (28 a line).
        spacing = CHAR_SPACING if self.grid and size == BODY_SIZE else 0.0
        self.pdf.set_char_spacing(spacing)

    def lines(
        self,
        text: str,
        *,
        family: str = PDF_SERIF,
        style: str = "",
        size: float = BODY_SIZE,
        align: Align = Align.J,
        indent: bool = False,
    ) -> None:
        """`text` as lines of the 版心's width, broken as Chinese is (never a comma or a closing
        quote at a line's start, nor an opening one at its end; digits and Latin words kept
        whole), justified lines filled to the right edge by spacing their characters."""
        self.font(family, style, size)
        pdf = self.pdf
        spacing = pdf.char_spacing
        height = LINE_MM * max(size, BODY_SIZE) / BODY_SIZE
        for paragraph in (("　　" if indent else "") + text).split("\n"):
            lines = wrap(paragraph, self.width, self.measure)
            for index, line in enumerate(lines):
                if pdf.will_page_break(height):
                    pdf.add_page()
                last = index == len(lines) - 1
                if align == Align.J and not last and len(line) > 1:
                    # A hanging mark stays outside: the characters before it fill the line.
                    core = line[:-1] if line[-1] in _HANGING else line
                    gap = max(0.0, self.width - self.measure(core)) / max(1, len(core) - 1)
                    pdf.set_char_spacing(spacing + gap / _MM_PER_PT)
                    pdf.cell(self.width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                    pdf.set_char_spacing(spacing)
                else:
                    line_align = Align.L if align == Align.J else align
                    pdf.cell(
                        self.width,
                        height,
                        line,
                        align=line_align,
                        new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT,
                    )

    def measure(self, text: str) -> float:
        """The width of `text` in mm at the current font, spacing included (cached by
        character: measuring every prefix of a paragraph would be quadratic)."""
        key = (self.pdf.font_family, self.pdf.font_style, self.pdf.font_size_pt)
        widths = self._widths.setdefault(key + (self.pdf.char_spacing,), {})
        total = 0.0
        for ch in text:
            if ch not in widths:
                widths[ch] = self.pdf.get_string_width(ch)
            total += widths[ch]
        return total

    def room(self, height: float) -> None:
        """A new page unless `height` mm fit above the foot of the 版心."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    # --- 版头 and title

    def blocks(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Para):
                self.paragraph(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, PageBreak):
                self.pdf.add_page()
            elif isinstance(block, Spacer):
                self.pdf.ln(LINE_MM * block.lines)
            elif isinstance(block, Contents):
                self.contents(block)

    def head(self) -> None:
        pdf, doc = self.pdf, self.doc
        top = pdf.t_margin
        if doc.issuer:
            size = ISSUER_MAX_SIZE
            self.font(PDF_SERIF, "B", size)
            natural = pdf.get_string_width(doc.issuer)
            if natural > self.width:
                size = size * self.width / natural * 0.98
                self.font(PDF_SERIF, "B", size)
            height = size * _MM_PER_PT
            pdf.set_text_color(*RED)
            # 7.2.2: the 发文机关标志's top 35 mm under the top of the 版心 (a Chinese
            # character's top is 0.88 em above its baseline in the Noto CJK faces).
            x = pdf.l_margin + (self.width - pdf.get_string_width(doc.issuer)) / 2
            pdf.text(x, top + 35 + 0.88 * height, doc.issuer)
            pdf.set_text_color(0, 0, 0)
            y = top + 35 + height
            if doc.reference:
                # 7.2.3: two blank lines, then the 发文字号 centred on its line.
                y += 2 * LINE_MM
                self.font(PDF_SERIF, "", BODY_SIZE)
                pdf.set_xy(pdf.l_margin, y)
                pdf.cell(self.width, LINE_MM, self.doc.reference, align=Align.C)
                # The characters' foot: fpdf2 sets the baseline 0.3 em under the line's middle,
                # and a Chinese character reaches 0.12 em under its baseline.
                y += LINE_MM / 2 + 0.42 * BODY_SIZE * _MM_PER_PT
            rule = y + 4  # 7.2.5: 4 mm under the 发文字号, the width of the 版心
            pdf.set_draw_color(*RED)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, rule, pdf.l_margin + self.width, rule)
            pdf.set_draw_color(0, 0, 0)
            pdf.set_line_width(0.2)
            pdf.set_xy(pdf.l_margin, rule + 2 * LINE_MM)  # 7.3.1: the title two lines under
        else:
            pdf.set_xy(pdf.l_margin, top)
        self.font(PDF_SERIF, "B", doc.title_size)
        title = balanced_lines(doc.title, self.width, pdf.get_string_width)
        self.lines("\n".join(title), style="B", size=doc.title_size, align=Align.C)
        pdf.ln(LINE_MM)  # 7.3.2: the 主送机关 one line under the title
        if doc.addressee:
            self.lines(f"{doc.addressee}：", align=Align.L)

    # --- blocks

    def heading(self, block: Heading) -> None:
        self.room(2 * LINE_MM)  # never the last line of a page
        if block.in_contents:
            self.heading_pages.append(self.pdf.page_no())
            self.outline_level = min(max(0, block.level - 1), self.outline_level + 1)
            self.pdf.start_section(block.text, level=self.outline_level)
        family = {1: PDF_FONT, 2: PDF_KAI}.get(block.level, PDF_SERIF)
        self.lines(block.text, family=family, align=Align.L, indent=True)

    def paragraph(self, block: Para) -> None:
        self.lines(
            block.text,
            style="B" if block.bold else "",
            size=block.size,
            align=_ALIGN[block.align],
            indent=block.indent,
        )

    def contents(self, block: Contents) -> None:
        pdf = self.pdf
        self.lines(block.title, style="B", size=22, align=Align.C)
        pdf.ln(LINE_MM)
        entries = contents_entries(self.doc)
        first = int((pdf.page_break_trigger - pdf.get_y()) / LINE_MM + 1e-6)
        per_page = int((pdf.page_break_trigger - pdf.t_margin) / LINE_MM + 1e-6)
        extra = max(0, len(entries) - first)
        pages = 1 + math.ceil(extra / per_page)
        pdf.insert_toc_placeholder(self.write_contents, pages=pages)

    def write_contents(self, pdf: FPDF, outline: list[OutlineSection]) -> None:
        """The contents' lines: the heading, dot leaders, its page number at the right edge."""
        self.font(PDF_SERIF, "", BODY_SIZE)
        pdf.set_char_spacing(0)
        dot = pdf.get_string_width("·")
        for entry, page in zip(contents_entries(self.doc), self.heading_pages, strict=True):
            indent = CHAR_MM * 2 * max(0, entry.level - 1)
            number = str(page)
            number_width = pdf.get_string_width(number)
            text = entry.text
            room = self.width - indent - number_width - 2 * dot
            while pdf.get_string_width(text) > room and len(text) > 1:
                text = text[:-2] + "…"
            text_width = pdf.get_string_width(text)
            dots = "·" * max(0, int((room - text_width) / dot))
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(text_width, LINE_MM, text)
            pdf.cell(self.width - indent - text_width - number_width, LINE_MM, dots, align=Align.R)
            pdf.cell(number_width, LINE_MM, number, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(self, table: Table) -> None:
        self.pdf.set_char_spacing(0)
        _pdf_table(self.pdf, table)

    # --- 附件说明, 落款, 版记

    def attachments(self) -> None:
        if not self.doc.attachments:
            return
        self.pdf.ln(LINE_MM)  # 7.3.4: one blank line under the body, two characters in
        for line in attachment_lines(self.doc.attachments):
            self.lines(line, align=Align.L, indent=True)

    def signature(self) -> None:
        """7.3.5: with a seal (sealed), the 成文日期 four characters from the right and the 落款
        centred over it, under the seal's centre, the seal's room (42 mm) starting within a line
        of the body and holding nothing else; without, the 落款 two characters from the right
        and the date under it two characters further right."""
        doc, pdf = self.doc, self.pdf
        date = chinese_date(doc.dated) if doc.dated else ""
        if not (doc.signature or date):
            return
        self.font(PDF_SERIF, "", BODY_SIZE)
        right = pdf.l_margin + self.width
        signature_width = pdf.get_string_width(doc.signature)
        date_width = pdf.get_string_width(date)
        rows = (1 if doc.signature else 0) + (1 if date else 0)
        if doc.sealed:
            self.room((2 + rows) * LINE_MM)
            top = pdf.get_y()
            pdf.ln(2 * LINE_MM)
            if date:
                date_x = right - 4 * CHAR_MM - date_width
                centre = date_x + date_width / 2
            else:
                centre = right - 4 * CHAR_MM - signature_width / 2
            signature_x = centre - signature_width / 2
            bottom = top + LINE_MM / 2 + SEAL_MM
            self.seal_room = (pdf.page_no(), top, max(bottom, pdf.get_y() + rows * LINE_MM))
        else:
            self.room((1 + rows) * LINE_MM)
            pdf.ln(LINE_MM)
            signature_x = right - 2 * CHAR_MM - signature_width
            date_x = signature_x + 2 * CHAR_MM
            if date_x + date_width > right - 2 * CHAR_MM:
                date_x = right - 2 * CHAR_MM - date_width
                signature_x = min(signature_x, date_x - 2 * CHAR_MM)
        for text, x, width in ((doc.signature, signature_x, signature_width),):
            if text:
                pdf.set_x(x)
                pdf.cell(width, LINE_MM, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if date:
            pdf.set_x(date_x)
            pdf.cell(date_width, LINE_MM, date, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def imprint(self) -> None:
        """7.4: the 版记 at the foot of the last page: 抄送 (indented a character, continued under
        its first name) and the 印发机关 left with the 印发日期 right, between full-width rules, the
        first and last thick (0.35 mm), the one between thin (0.25 mm); the last rule on the foot
        of the 版心."""
        doc, pdf = self.doc, self.pdf
        printed_on = f"{chinese_date(doc.printed_on)}印发" if doc.printed_on else ""
        if not (doc.copy_to or doc.printed_by or printed_on):
            return
        self.font(PDF_SERIF, "", 14)
        em = 14 * _MM_PER_PT
        label = "抄送："
        copy_lines: list[str] = []
        if doc.copy_to:
            copy_lines = pdf.multi_cell(  # type: ignore[assignment]
                self.width - 2 * em - pdf.get_string_width(label),
                LINE_MM,
                f"{doc.copy_to}。",
                dry_run=True,
                output=MethodReturnValue.LINES,
                wrapmode=WrapMode.CHAR,
            )
        printed = 1 if (doc.printed_by or printed_on) else 0
        height = (len(copy_lines) + printed) * LINE_MM
        self.room(height + LINE_MM)
        # Nothing in the seal's room: the 版记 goes under it, or to a page of its own.
        if (
            self.seal_room
            and self.seal_room[0] == pdf.page_no()
            and pdf.page_break_trigger - height < self.seal_room[2]
        ):
            pdf.add_page()
        bottom = pdf.page_break_trigger
        y = bottom - height
        left, right = pdf.l_margin, pdf.l_margin + self.width

        def rule(at: float, thick: bool) -> None:
            pdf.set_line_width(0.35 if thick else 0.25)
            pdf.line(left, at, right, at)

        rule(y, True)
        if copy_lines:
            pdf.set_xy(left + em, y)
            pdf.cell(pdf.get_string_width(label), LINE_MM, label)
            for index, line in enumerate(copy_lines):
                pdf.set_xy(left + em + pdf.get_string_width(label), y + index * LINE_MM)
                pdf.cell(self.width, LINE_MM, line)
            y += len(copy_lines) * LINE_MM
            if printed:
                rule(y, False)
        if printed:
            pdf.set_xy(left + em, y)
            pdf.cell(self.width / 2, LINE_MM, doc.printed_by)
            pdf.set_xy(right - em - pdf.get_string_width(printed_on), y)
            pdf.cell(pdf.get_string_width(printed_on), LINE_MM, printed_on)
        rule(bottom, True)
        pdf.set_line_width(0.2)
        pdf.set_y(bottom)


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
        pdf.set_font(PDF_SERIF, "", size)
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


def _layout(doc: Printable) -> tuple[bytes, _Layout]:
    pdf = pdf_with_cjk_font(numbered=doc.numbered)
    pdf.c_margin = 0  # the body's lines use the whole 版心 (28 characters)
    left, top, right, bottom = page_margins(doc)
    pdf.set_margins(left, top, right)
    pdf.footer_margins = (left, right)
    pdf.set_auto_page_break(auto=True, margin=bottom)
    pdf.set_title(doc.title)
    pdf.set_author(doc.author or doc.signature or doc.issuer)
    pdf.set_subject(doc.subject)
    pdf.set_creator("peixun")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(timezone.now())
    pdf.add_page(orientation="L" if doc.landscape else "P")
    layout = _Layout(doc=doc, pdf=pdf, grid=bool(doc.issuer))
    with translation.override("zh-hans"):
        layout.head()
        layout.blocks(doc.blocks)
        layout.attachments()
        layout.signature()
        if doc.annex:
            pdf.add_page()  # GB/T 9704 8: an attachment on a page of its own, before the 版记
            layout.blocks(doc.annex)
        layout.imprint()
        return bytes(pdf.output()), layout


def render_pdf(doc: Printable) -> bytes:
    return _layout(doc)[0]


def contents_pages(doc: Printable) -> list[int]:
    """The page each `Heading(in_contents=True)` lands on in the PDF, in order."""
    if not any(isinstance(block, Contents) for block in doc.blocks):
        return []
    return _layout(doc)[1].heading_pages
