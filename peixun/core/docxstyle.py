"""Word documents in the official layout (GB/T 9704-2012), shared by every app's documents: A4 with
the 版心 156 × 225 mm, 仿宋 body at 三号 on the grid's line (22 lines a page), 方正小标宋 titles, the
red rule of the 版头, and Chinese made the document's language throughout.

Fonts: the official names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312) are what a Windows reader
has, so the .docx asks for them by name, on every run (ascii, hAnsi and eastAsia: a reader picks the
font of a character by its script) and in the document defaults. No Linux has them: the project's
fontconfig file (peixun/core/fonts/) maps each to a free font, and `docx_chinese` removes what made
LibreOffice fall back to a Japanese font (python-docx's template has a Japanese East-Asian theme and
en-US / ja-JP as the language)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"  # page numbers: 4号半角宋体 (GB/T 9704 7.5)
RED = RGBColor(0xE0, 0x00, 0x00)
CHINESE_NUMERALS = "一二三四五六七八九十"
LANGUAGE = "zh-CN"

# GB/T 9704-2012 5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; 28 characters × 22 lines of
# 三号 (16 pt) for the body.
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
TOP, LEFT = 37.0, 28.0
TEXT_WIDTH, TEXT_HEIGHT = 156.0, 225.0
RIGHT, BOTTOM = PAGE_WIDTH - LEFT - TEXT_WIDTH, PAGE_HEIGHT - TOP - TEXT_HEIGHT
BODY_SIZE = 16.0
LINES, CHARACTERS = 22, 28
_PT_PER_MM = 72 / 25.4
# Whole twips, rounded down, so that 22 lines and 28 characters always fit the 版心.
LINE_PITCH_TWIPS = int(TEXT_HEIGHT * _PT_PER_MM * 20 / LINES)  # 579
LINE_PITCH = LINE_PITCH_TWIPS / 20  # points: 28.95
LINE_MM = LINE_PITCH / _PT_PER_MM
CHAR_PITCH = TEXT_WIDTH * _PT_PER_MM / CHARACTERS  # points: 15.79, a little under 16
# w:charSpace: the grid's character pitch beyond the default font size, in 1/4096 pt.
CHAR_SPACE = int((CHAR_PITCH - BODY_SIZE) * 4096) - 1  # -849

# CT_PPr's children in the order the schema requires (Word refuses a file that breaks it).
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def ppr_insert(p_pr: Any, element: Any) -> Any:
    """`element` into a w:pPr in its schema place, replacing one of the same kind."""
    name = element.tag.split("}")[1]
    old = p_pr.find(qn(f"w:{name}"))
    if old is not None:
        p_pr.remove(old)
    later = _PPR_ORDER[_PPR_ORDER.index(name) + 1 :]
    for child in p_pr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return element
    p_pr.append(element)
    return element


# fontTable hints for readers without the font: the usual Windows stand-in (w:altName), the
# GB2312 charset (86) and the family, so a substitute is at least a Chinese face of the same kind.
_FONT_HINTS = {
    FANGSONG: ("仿宋", "roman", "02010609030101010101"),
    XIAOBIAOSONG: ("宋体", "roman", "02010600030101010101"),
    HEITI: ("SimHei", "modern", "02010609060101010101"),
    KAITI: ("楷体", "modern", "02010609030101010101"),
    SONGTI: ("SimSun", "auto", "02010600030101010101"),
}


def _set_fonts(r_pr: Any, name: str) -> None:
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    # A theme attribute wins over the named font: python-docx's template sets them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        r_fonts.set(qn(attribute), name)


def _set_language(r_pr: Any) -> None:
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def docx_font(run: Any, name: str, size: float, *, bold: bool = False, color: Any = None) -> None:
    """The run in `name` at `size` points, Chinese: the font named for every script (Word picks
    the East Asian font from w:eastAsia, Latin digits from w:ascii) and the language zh-CN."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    _set_fonts(r_pr, name)
    _set_language(r_pr)


def docx_snap(paragraph: Paragraph, snap: bool) -> None:
    """Whether the paragraph's characters sit on the document's character grid: only 三号 text
    does; a larger or smaller character would take a whole grid cell (or two) each."""
    p_pr = paragraph._p.get_or_add_pPr()
    element = p_pr.find(qn("w:snapToGrid"))
    if snap:
        if element is not None:
            p_pr.remove(element)
        return
    if element is None:
        element = ppr_insert(p_pr, OxmlElement("w:snapToGrid"))
    element.set(qn("w:val"), "0")


def docx_paragraph(
    document: Any,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = BODY_SIZE,
    bold: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    color: Any = None,
) -> Paragraph:
    """A paragraph on the grid's fixed line (22 a page), its first line indented two characters
    (GB/T 9704 7.3.3) unless `indent` is false."""
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(LINE_PITCH_TWIPS) if size <= 22 else Pt(size * 1.2)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if size != BODY_SIZE:
        docx_snap(paragraph, False)
    if text:
        docx_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def docx_red_rule(paragraph: Paragraph, *, space: float = 4) -> None:
    """A red bottom border, the width of the 版心, `space` points under the paragraph's line (the
    版头's separator, GB/T 9704 7.2.5)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")  # eighths of a point: 1.5 pt, about 0.5 mm
    bottom.set(qn("w:space"), str(round(space)))
    bottom.set(qn("w:color"), "E00000")
    borders.append(bottom)
    ppr_insert(p_pr, borders)


def docx_a4(document: Any, *, landscape: bool = False) -> None:
    """A4 with the GB/T 9704 margins (版心 156 × 225 mm), turned a quarter counter-clockwise when
    `landscape`: the 订口 at the bottom, so the page number keeps a wide margin under it. The footer sits so that its line starts 7 mm under the
    版心 (7.5: the page number's 一字线 7 mm below it)."""
    for section in document.sections:
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT), Mm(PAGE_WIDTH)
            section.top_margin, section.bottom_margin = Mm(RIGHT), Mm(LEFT)
            section.left_margin, section.right_margin = Mm(TOP), Mm(BOTTOM)
            bottom = LEFT
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT)
            section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
            section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
            bottom = BOTTOM
        section.header_distance = Mm(15)
        # The footer's one line (14 pt) ends this far above the page's edge.
        section.footer_distance = Mm(bottom - 7 - 14 / _PT_PER_MM)


def docx_grid(document: Any, *, characters: bool) -> None:
    """The document grid: 22 lines a page (sectPr w:docGrid type "lines", linePitch 579).

    `characters` (a 公文) asks for 28 characters a line too. Not with a "linesAndChars" grid:
    LibreOffice gives a character wider than the grid's cell (16 pt against 15.79) two cells and
    justifies the short lines that makes, 14 characters a line. The body's 三号 runs are condensed
    to the grid's pitch instead (`docx_condense`), which Word and LibreOffice both lay out as 28 a
    line; the grid's w:charSpace is kept for a reader that switches the grid to characters."""
    for section in document.sections:
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.attrib.clear()
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        if characters:
            grid.set(qn("w:charSpace"), str(CHAR_SPACE))


# A 三号 character advances 16 pt; 28 of them fit the 版心's 442.2 pt at 15.79 pt each: condensed
# by a quarter point (w:spacing counts twentieths of a point).
CONDENSE_TWENTIETHS = int((CHAR_PITCH - BODY_SIZE) * 20) - 1  # -5


def docx_condense(run: Any) -> None:
    """The run's characters (a python-docx Run or its w:r) a quarter point closer: 28 三号
    characters to the 版心's line."""
    r_pr = getattr(run, "_element", run).get_or_add_rPr()
    spacing = r_pr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        anchor = next(
            (
                r_pr.find(qn(tag))
                for tag in ("w:w", "w:kern", "w:position", "w:sz")
                if r_pr.find(qn(tag)) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(spacing)
        else:
            r_pr.append(spacing)
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))


def _part(document: Any, name: str) -> Any:
    for part in document.part.package.iter_parts():
        if str(part.partname) == name:
            return part
    return None


def _theme_chinese(xml: str) -> str:
    """python-docx's theme: no East-Asian face and MS Mincho / MS Gothic for Japanese, which is
    what LibreOffice used for every Chinese character. Chinese faces instead, Japanese gone."""
    xml = re.sub(r'\s*<a:font script="Jpan" typeface="[^"]*"/>', "", xml)

    def face(match: re.Match[str]) -> str:
        kind, inner = match.group(1), match.group(2)
        name = HEITI if kind == "major" else SONGTI
        inner = inner.replace('<a:ea typeface=""/>', f'<a:ea typeface="{name}"/>', 1)
        return f"<a:{kind}Font>{inner}</a:{kind}Font>"

    return re.sub(r"<a:(major|minor)Font>(.*?)</a:\1Font>", face, xml, flags=re.S)


def _font_table(document: Any) -> None:
    fonts_part = _part(document, "/word/fontTable.xml")
    if fonts_part is None:  # pragma: no cover - python-docx's template has one
        return
    xml = fonts_part.blob.decode()
    entries = []
    for name, (alternative, family, panose) in _FONT_HINTS.items():
        if f'w:name="{name}"' in xml:
            continue
        entries.append(
            f'<w:font w:name="{name}"><w:altName w:val="{alternative}"/>'
            f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="variable"/>'
            '<w:sig w:usb0="00000001" w:usb1="080E0000" w:usb2="00000010" w:usb3="00000000"'
            ' w:csb0="00040000" w:csb1="00000000"/></w:font>'
        )
    # The template's Japanese faces are referenced by nothing once the theme is fixed.
    xml = re.sub(r'<w:font w:name="ＭＳ [^"]*">.*?</w:font>\s*', "", xml, flags=re.S)
    xml = xml.replace("</w:fonts>", "".join(entries) + "</w:fonts>")
    fonts_part._blob = xml.encode()


def _settings(document: Any, *, update_fields: bool) -> None:
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
        theme_lang.set(qn("w:eastAsia"), LANGUAGE)
    if update_fields and settings.find(qn("w:updateFields")) is None:
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        # Its place in CT_Settings: after w:doNotAutoCompressPictures-ish elements and before
        # the compat block; Word accepts it before w:defaultTabStop's successors.
        anchor = settings.find(qn("w:compat"))
        if anchor is not None:
            anchor.addprevious(element)
        else:  # pragma: no cover - python-docx's template has w:compat
            settings.append(element)


def docx_chinese(document: Any, *, font: str = FANGSONG, update_fields: bool = False) -> None:
    """Make the document Chinese throughout: defaults in `font` at 三号 and zh-CN (styles.xml's
    docDefaults, which python-docx's template sets to theme fonts, en-US and 11 pt), the theme's
    East-Asian faces Chinese, settings' theme language zh-CN, the official fonts in the font table
    with hints, and the package's properties without python-docx's leftovers. `update_fields`
    asks Word to refresh fields (a contents page) when the file is opened."""
    styles = document.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(r_pr, font)
    _set_language(r_pr)
    for tag in ("w:sz", "w:szCs"):
        element = r_pr.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), str(int(BODY_SIZE * 2)))
    # LibreOffice sizes the character grid from the Normal style's size (12 pt when it has
    # none, which put 18 characters on a line instead of 28).
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    p_pr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = p_pr.find(qn("w:spacing"))
    if spacing is not None:  # the template's 10 pt after and 1.15 lines: Word's zh-CN has none
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
    # No extra space between Chinese and Latin letters or digits ("2026 年"): it would push the
    # body off its 28 characters a line.
    # (LibreOffice reads it from the Normal style, Word from either.)
    normal_p_pr = normal.element.get_or_add_pPr()
    for target in (p_pr, normal_p_pr):
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            element = OxmlElement(tag)
            element.set(qn("w:val"), "0")
            ppr_insert(target, element)
    # Every style's own rFonts and lang: the template's styles name theme fonts and en-US.
    for element in styles.iter(qn("w:rFonts")):
        if element.getparent() is not r_pr:
            for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                element.attrib.pop(qn(attribute), None)
    for element in styles.iter(qn("w:lang")):
        element.set(qn("w:val"), LANGUAGE)
        element.set(qn("w:eastAsia"), LANGUAGE)
    theme = _part(document, "/word/theme/theme1.xml")
    if theme is not None:
        theme._blob = _theme_chinese(theme.blob.decode()).encode()
    _font_table(document)
    _settings(document, update_fields=update_fields)
    properties = document.core_properties
    properties.comments = ""  # "generated by python-docx"
    properties.author = ""
    properties.language = LANGUAGE
    app = _part(document, "/docProps/app.xml")
    if app is not None:
        xml = app.blob.decode()
        xml = re.sub(r"<Application>[^<]*</Application>", "<Application>peixun</Application>", xml)
        xml = re.sub(r"<AppVersion>[^<]*</AppVersion>", "", xml)
        app._blob = xml.encode()


def chinese_date(day: dt.date) -> str:
    return _("%(year)s-%(month)s-%(day)s") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def numbered_heading(index: int) -> str:
    return CHINESE_NUMERALS[index] + "、" if index < len(CHINESE_NUMERALS) else f"{index + 1}."
