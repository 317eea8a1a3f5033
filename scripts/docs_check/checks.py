"""The checks of one PDF (and of the .xlsx it came from), apart from Django and the demo.

Each check answers a `Finding` (a name, passed or not, and what was seen), so the report can
say which check failed on which page. Poppler reads what the PDF shows (`pdfinfo`-like page
boxes through pypdf, `pdffonts`, `pdftotext -bbox-layout` for the words' extents, `pdftotext
-raw` for each page's text) and pypdf's text visitor says which font each run of Chinese text
is set in. Nothing here trusts the generator: a PDF made by anything is judged the same way.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from pypdf import PdfReader

MM = 72 / 25.4  # points per millimetre
A4 = (210.0, 297.0)  # mm, portrait
SIZE_TOLERANCE_MM = 2.0
Orientation = Literal["portrait", "landscape", "any"]

# Faces Chinese text may be set in (compared without spaces, hyphens or case): the Simplified
# Chinese cuts of Noto CJK and AR PL UKai (the 楷体 stand-in).
CJK_ALLOWED = ("notoserifcjksc", "notosanscjksc", "ukai")
# Noto's collections name their shared outlines for the Japanese cut: LibreOffice embeds the
# Simplified Chinese face under this name too. Accepted only when faces.py has shown, from the
# glyphs, that LibreOffice draws the Chinese forms.
NOTO_SHARED = ("notoserifcjkjp", "notosanscjkjp")
# Faces that draw Chinese with Japanese, Korean or Traditional glyph shapes: wrong in any run.
FOREIGN_CJK = ("cjkjp", "cjkkr", "cjktc", "cjkhk", "ipagothic", "ipamincho", "takao", "nanum")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class Expect:
    """What one file should look like once printed."""

    orientation: Orientation = "portrait"
    pages: tuple[int, int] = (1, 20)
    # Nothing printed within this many mm of the paper's edge; None for spreadsheets, whose
    # margins are the printer's business (they are checked for A4 and fit-to-width instead).
    margin_mm: float | None = 15.0


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class FontRow:
    name: str
    kind: str
    embedded: bool


@dataclass
class PdfFacts:
    """What a PDF shows, read once and judged by `check_pdf`."""

    sizes_mm: list[tuple[float, float]]
    fonts: list[FontRow]
    # Per page: the extents (x0, y0, x1, y1 in pt from the top left) of every word.
    extents: list[tuple[float, float, float, float] | None]
    page_sizes_pt: list[tuple[float, float]]
    texts: list[str]
    # Base font name -> how many characters of Chinese text were set in it.
    cjk_runs: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return len(self.sizes_mm)


def executable(name: str) -> str:
    """The tool's full path (poppler's, LibreOffice's), or a message naming the package."""
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is missing: run scripts/ensure_document_packages.sh")
    return found


def _tool(name: str, *args: str) -> str:
    done = subprocess.run([executable(name), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return done.stdout


def base_font(name: str) -> str:
    """`ABCDEF+NotoSerifCJKsc-Regular` -> `NotoSerifCJKsc-Regular` (the subset tag dropped)."""
    name = name.lstrip("/")
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def parse_pdffonts(output: str) -> list[FontRow]:
    """The rows of `pdffonts`, cut at the columns its dashed rule marks (names may hold spaces)."""
    lines = output.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("---")), None)
    if rule is None:
        return []
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rule])]
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            continue
        cells = [line[a:b].strip() for a, b in spans]
        # The name column may be wider than its rule: the type starts after the name's last space.
        rows.append(FontRow(name=base_font(cells[0]), kind=cells[1], embedded=cells[3] == "yes"))
    return rows


def _cjk_runs(reader: PdfReader) -> dict[str, int]:
    runs: dict[str, int] = {}

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        count = len(CJK.findall(text or ""))
        if count:
            name = base_font(str(font.get("/BaseFont", "?"))) if font else "?"
            runs[name] = runs.get(name, 0) + count

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return runs


def read_pdf(path: Path) -> PdfFacts:
    reader = PdfReader(path)
    sizes = []
    for page in reader.pages:
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        if int(page.get("/Rotate", 0) or 0) % 180:
            width, height = height, width
        sizes.append((width / MM, height / MM))
    layout = _tool("pdftotext", "-bbox-layout", str(path), "-")
    extents: list[tuple[float, float, float, float] | None] = []
    page_sizes: list[tuple[float, float]] = []
    for chunk in layout.split("<page ")[1:]:
        head = PAGE.match("<page " + chunk)
        page_sizes.append((float(head.group(1)), float(head.group(2))) if head else (0.0, 0.0))
        words = [
            tuple(float(v) for v in m.groups()[:4])
            for m in WORD.finditer(chunk)
            if html.unescape(m.group(5)).strip()
        ]
        extents.append(
            (
                min(w[0] for w in words),
                min(w[1] for w in words),
                max(w[2] for w in words),
                max(w[3] for w in words),
            )
            if words
            else None
        )
    raw = _tool("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-")
    texts = raw.split("\f")[: len(sizes)]
    return PdfFacts(
        sizes_mm=sizes,
        fonts=parse_pdffonts(_tool("pdffonts", str(path))),
        extents=extents,
        page_sizes_pt=page_sizes,
        texts=texts,
        cjk_runs=_cjk_runs(reader),
    )


def _is_a4(size: tuple[float, float], orientation: Orientation) -> bool:
    width, height = size
    portrait = abs(width - A4[0]) <= SIZE_TOLERANCE_MM and abs(height - A4[1]) <= SIZE_TOLERANCE_MM
    landscape = abs(width - A4[1]) <= SIZE_TOLERANCE_MM and abs(height - A4[0]) <= SIZE_TOLERANCE_MM
    return {"portrait": portrait, "landscape": landscape, "any": portrait or landscape}[orientation]


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (f" … ({len(numbers)} pages)" if len(numbers) > 8 else "")


def check_size(facts: PdfFacts, expect: Expect) -> Finding:
    wrong = [i + 1 for i, size in enumerate(facts.sizes_mm) if not _is_a4(size, expect.orientation)]
    if not facts.pages:
        return Finding("A4", False, "no pages")
    if wrong:
        w, h = facts.sizes_mm[wrong[0] - 1]
        return Finding(
            "A4",
            False,
            f"{w:.0f}×{h:.0f} mm, not A4 {expect.orientation}, on page {_pages(wrong)}",
        )
    return Finding("A4", True, expect.orientation)


def check_page_count(facts: PdfFacts, expect: Expect) -> Finding:
    low, high = expect.pages
    ok = low <= facts.pages <= high
    return Finding("pages", ok, f"{facts.pages} (expected {low}–{high})")


def check_margins(facts: PdfFacts, expect: Expect) -> Finding:
    if expect.margin_mm is None:
        return Finding("margins", True, "not checked (spreadsheet)")
    limit = expect.margin_mm * MM
    bad: list[int] = []
    closest = float("inf")
    for number, (extent, (width, height)) in enumerate(
        zip(facts.extents, facts.page_sizes_pt, strict=False), start=1
    ):
        if extent is None:
            continue
        x0, y0, x1, y1 = extent
        gap = min(x0, y0, width - x1, height - y1)
        closest = min(closest, gap)
        if gap < limit:
            bad.append(number)
    if bad:
        return Finding(
            "margins",
            False,
            f"text {closest / MM:.1f} mm from the edge (< {expect.margin_mm:g}) on page {_pages(bad)}",
        )
    if closest == float("inf"):
        return Finding("margins", False, "no text found")
    return Finding("margins", True, f"≥ {closest / MM:.1f} mm")


def check_fonts(facts: PdfFacts, *, noto_shared_is_chinese: bool = False) -> list[Finding]:
    findings = []

    def shared(name: str) -> bool:
        return noto_shared_is_chinese and any(t in _squash(name) for t in NOTO_SHARED)

    loose = sorted({f.name for f in facts.fonts if not f.embedded})
    findings.append(
        Finding("embedded", not loose, ("not embedded: " + ", ".join(loose)) if loose else "all")
    )
    foreign = sorted(
        {
            f.name
            for f in facts.fonts
            if any(t in _squash(f.name) for t in FOREIGN_CJK) and not shared(f.name)
        }
        | {n for n in facts.cjk_runs if any(t in _squash(n) for t in FOREIGN_CJK) and not shared(n)}
    )
    wrong = sorted(
        n
        for n in facts.cjk_runs
        if not any(t in _squash(n) for t in CJK_ALLOWED) and n not in foreign and not shared(n)
    )
    if not facts.cjk_runs:
        findings.append(Finding("CJK fonts", False, "no Chinese text found"))
    elif foreign or wrong:
        parts = []
        if foreign:
            parts.append("JP/KR/TC face: " + ", ".join(foreign))
        if wrong:
            parts.append(
                "Chinese set in " + ", ".join(f"{n} ({facts.cjk_runs[n]} chars)" for n in wrong)
            )
        findings.append(Finding("CJK fonts", False, "; ".join(parts)))
    else:
        findings.append(Finding("CJK fonts", True, ", ".join(sorted(facts.cjk_runs))))
    return findings


@dataclass(frozen=True)
class SheetTitles:
    """What every printed page of one sheet must show: its title (the 台账's first cell, which
    the page header or footer or a repeated row carries) and at least one of its repeated
    header cells (a sheet printed several pages wide repeats only its own columns' headers)."""

    sheet: str
    title: str
    headers: tuple[str, ...]


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def check_repeated(facts: PdfFacts, sheets: list[SheetTitles]) -> Finding:
    """Every page shows the title and header of one of the workbook's sheets."""
    if not sheets:
        return Finding("titles on every page", False, "no print titles set in the workbook")
    missing: list[int] = []
    for number, text in enumerate(facts.texts, start=1):
        flat = _flat(text)
        if not any(
            _flat(s.title) in flat and any(_flat(h) in flat for h in s.headers) for s in sheets
        ):
            missing.append(number)
    if missing:
        return Finding(
            "titles on every page", False, f"title or header missing on page {_pages(missing)}"
        )
    return Finding("titles on every page", True, f"{facts.pages} pages")


def check_pdf(
    facts: PdfFacts, expect: Expect, *, noto_shared_is_chinese: bool = False
) -> list[Finding]:
    return [
        check_size(facts, expect),
        check_page_count(facts, expect),
        check_margins(facts, expect),
        *check_fonts(facts, noto_shared_is_chinese=noto_shared_is_chinese),
    ]


def workbook_facts(path: Path) -> tuple[list[Finding], list[SheetTitles]]:
    """The page setup of each sheet of an .xlsx (A4, fitted to a number of pages wide with any
    number tall) and, for the sheets with print titles, what each page must show."""
    book = load_workbook(path)
    findings: list[Finding] = []
    sheets: list[SheetTitles] = []
    for sheet in book.worksheets:
        setup = sheet.page_setup
        a4 = str(setup.paperSize or "") == "9"
        properties = sheet.sheet_properties.pageSetUpPr
        fit = bool(properties and properties.fitToPage) and setup.fitToHeight == 0
        wide = setup.fitToWidth or 1
        problems = [p for p, ok in (("not A4", a4), ("not fitted to width", fit)) if not ok]
        findings.append(
            Finding(
                f"setup {sheet.title}",
                not problems,
                ", ".join(problems) or f"A4, fitted {wide} page{'s' if wide > 1 else ''} wide",
            )
        )
        rows = sheet.print_title_rows
        if not rows:
            continue
        first, last = (int(n) for n in rows.replace("$", "").split(":"))
        headers = [
            str(v)
            for row in sheet.iter_rows(min_row=first, max_row=last, values_only=True)
            for v in row
            if v not in (None, "")
        ]
        title = next(
            (str(v) for row in sheet.iter_rows(max_row=1, values_only=True) for v in row if v),
            "",
        )
        sheets.append(SheetTitles(sheet.title, title, tuple(headers)))
    return findings, sheets
