"""The PDF's fonts: free stand-ins for the official faces, parsed once per process.

    PDF_FONT  ("cjk")    PDF_FONT_FILE, Noto Sans CJK SC: 黑体 (and its Bold sibling)
    PDF_SERIF ("serif")  PDF_SERIF_FONT_FILE, Noto Serif CJK SC: 仿宋 and 宋体; Bold: 小标宋
    PDF_KAI   ("kai")    PDF_KAI_FONT_FILE, AR PL UKai CN: 楷体

A file that is missing falls back to the serif, and the serif to PDF_FONT_FILE; only that one is
required. Fonts are added to a document when it first sets them (`set_font`), so a document embeds
and a process parses only the faces used.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

PDF_FONT = "cjk"
PDF_SERIF = "serif"
PDF_KAI = "kai"

# Parsing a Noto CJK collection (cmap and widths of ~65,000 glyphs) takes a good part of a second
# per face: it is done once per process, and each new FPDF gets a copy of the parsed font with its
# own subset map and its own lazily opened fontTools font. The copy matters: fpdf2 subsets that
# fontTools font in place when it writes the file, so each PDF embeds only its own glyphs.
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


def _add_parsed_font(pdf: FPDF, family: str, path: Path, index: int, style: str) -> None:
    """`pdf.add_font(family, style, path)`, from the font parsed once per process."""
    parsed = _parsed_font(path, index, style)
    if parsed.color_font is not None:  # pragma: no cover - not a CJK text font: no sharing
        pdf.add_font(family, style, path, collection_font_number=index)
        return
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(parsed, name):
            setattr(font, name, getattr(parsed, name))
    # Read-only and shared: name, cmap, glyph_ids, scale, metrics. Per document: the font
    # descriptor, which writing the file turns into one of the document's PDF objects (its id,
    # name and font file are set on it): shared, two documents written at once in two threads
    # of a worker would number each other's objects (a KeyError in fpdf2's output).
    font.desc = copy.copy(parsed.desc)
    font.fontkey = f"{family}{style}"
    font.i = len(pdf.fonts) + 1
    font.cw = parsed.cw.copy()  # a defaultdict: reading a missing character inserts it
    font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, fontNumber=index, lazy=True)
    # Tables the subsetting drops anyway (fpdf2's drop_tables, fontTools' defaults): removed
    # before it, they are never decompiled (a fifth of the time of writing the file).
    for tag in _DROPPED_TABLES:
        if tag in font.ttfont:
            del font.ttfont[tag]
    if font.is_cff and font.is_cid_keyed and "cmap" in font.ttfont:
        # fpdf2 embeds only the CFF table of such a font (the PDF maps codes to glyphs itself):
        # its cmap, decompiled only to be pruned, was a third of the time of writing the file.
        empty = ttLib.newTable("cmap")
        empty.tableVersion, empty.tables = 0, []
        font.ttfont["cmap"] = empty
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


def _bold(path: Path) -> Path:
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    return bold if bold != path and bold.is_file() else path


def _index(path: Path, index: int) -> int:
    return index if path.suffix.lower() == ".ttc" else 0


def font_files() -> dict[str, tuple[Path, int]]:
    """Each family and style ("cjk", "cjkB", "serif", …) with its file and collection index."""
    sans = Path(settings.PDF_FONT_FILE)
    if not sans.is_file():
        raise ImproperlyConfigured(
            f"PDF font {sans} not found: install Debian's fonts-noto-cjk or set PEIXUN_PDF_FONT."
        )
    sans_index = _index(sans, int(settings.PDF_FONT_INDEX))
    serif = Path(settings.PDF_SERIF_FONT_FILE)
    serif_index = _index(serif, int(settings.PDF_SERIF_FONT_INDEX))
    if not serif.is_file():
        serif, serif_index = sans, sans_index
    kai = Path(settings.PDF_KAI_FONT_FILE)
    kai_index = _index(kai, int(settings.PDF_KAI_FONT_INDEX))
    if not kai.is_file():
        kai, kai_index = serif, serif_index
    return {
        PDF_FONT: (sans, sans_index),
        f"{PDF_FONT}B": (_bold(sans), sans_index),
        PDF_SERIF: (serif, serif_index),
        f"{PDF_SERIF}B": (_bold(serif), serif_index),
        PDF_KAI: (kai, kai_index),
        f"{PDF_KAI}B": (kai, kai_index),  # 楷体 has no bold: the same face
    }


class CJKPDF(FPDF):
    """An FPDF that adds the configured CJK faces when a document first sets them, and, when
    `numbered`, prints "— N —" under each page (GB/T 9704 7.5: 4号半角宋体, 7 mm under the 版心,
    an odd page's number right with one character's space, an even page's left)."""

    numbered = False
    footer_margins: tuple[float, float] | None = None  # the page's left and right margins

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font_files = font_files()

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        name = (family or self.font_family or "").lower()
        weight = "B" if "B" in str(style).upper() else ""
        key = f"{name}{weight}"
        if key in self._font_files and key not in self.fonts:
            path, index = self._font_files[key]
            _add_parsed_font(self, name, path, index, weight)
        super().set_font(family, style, size)

    def footer(self) -> None:
        if not self.numbered:
            return
        size = 14.0  # 四号
        em = size * 25.4 / 72
        spacing = self.char_spacing
        self.set_char_spacing(0)
        self.set_text_color(0, 0, 0)
        self.set_font(PDF_SERIF, "", size)
        text = f"— {self.page_no()} —"
        width = self.get_string_width(text)
        # The page's own margins: a table being drawn moves l_margin to place itself.
        left, right = self.footer_margins or (self.l_margin, self.r_margin)
        x = self.w - right - em - width if self.page_no() % 2 else left + em
        # The 一字线 (a third of an em above the baseline) 7 mm under the 版心, whose foot is
        # where pages break.
        self.text(x, self.h - self.b_margin + 7 + em * 0.35, text)
        self.set_char_spacing(spacing)


def pdf_with_cjk_font(*, numbered: bool = False) -> CJKPDF:
    """An A4 FPDF with the configured CJK fonts: PDF_FONT (黑体's stand-in, the one every older
    document uses, added at once), PDF_SERIF and PDF_KAI (added when first set), each with a bold
    style. Only the characters used are embedded, so a page is a few kilobytes. The font files
    are parsed once per process. `numbered` pages carry "— N —" at the bottom."""
    pdf = CJKPDF(format="A4", unit="mm")
    pdf.numbered = numbered
    pdf.set_font(PDF_FONT, "", 12)
    return pdf
