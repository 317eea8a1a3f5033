"""The docs-check's own checks, on PDFs made here: a good one passes, and each kind of fault (the
wrong paper, a Japanese face, text at the edge, a missing print title) fails — so the check
cannot pass by finding nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF

from ..checks import (
    Expect,
    Finding,
    SheetTitles,
    check_fonts,
    check_margins,
    check_page_count,
    check_pdf,
    check_repeated,
    check_size,
    parse_pdffonts,
    read_pdf,
)

NOTO_SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC, JP = 2, 0  # faces of the collection: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or not NOTO_SANS.exists(),
    reason="needs poppler-utils and fonts-noto-cjk (scripts/ensure_document_packages.sh)",
)


TITLE = "中共县直机关工委关于培训工作的通知"
LEDGER = ("县直机关工委学时台账", "姓名 所在支部", "张三")


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The SC and JP faces of Noto Sans CJK cut down to the characters these tests write:
    fpdf2 then embeds them in milliseconds instead of parsing the whole collection per PDF. The
    cut keeps the names, so the PDFs name the faces as the full fonts would."""
    text = TITLE + "".join(LEDGER) + "Report 2026"
    folder = tmp_path_factory.mktemp("fonts")
    made = {}
    for face in (SC, JP):
        font = TTFont(NOTO_SANS, fontNumber=face)
        options = subset.Options(name_IDs=["*"], name_languages=["*"], notdef_outline=True)
        cutter = subset.Subsetter(options)
        cutter.populate(text=text)
        cutter.subset(font)
        made[face] = folder / f"noto-sans-cjk-{face}.otf"
        font.save(made[face])
    return made


def make_pdf(
    path: Path,
    faces: dict[int, Path],
    *,
    size: str | tuple[float, float] = "A4",
    face: int = SC,
    margin: float = 25,
    pages: int = 1,
    lines: tuple[str, ...] = (TITLE,),
) -> Path:
    pdf = FPDF(format=size)
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=str(faces[face]))
    pdf.set_font("cjk", size=14)
    for _ in range(pages):
        pdf.add_page()
        pdf.set_xy(margin, margin)
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def failed(findings: list[Finding]) -> set[str]:
    return {f.check for f in findings if not f.ok}


def test_a_good_pdf_passes_every_check(tmp_path: Path, faces: dict[int, Path]) -> None:
    facts = read_pdf(make_pdf(tmp_path / "good.pdf", faces, pages=2))
    findings = check_pdf(facts, Expect(pages=(1, 3)))
    assert failed(findings) == set(), findings
    assert facts.pages == 2
    assert any("notosanscjksc" in name.lower() for name in facts.cjk_runs), facts.cjk_runs
    assert "中共县直机关工委" in facts.texts[0].replace(" ", "")


def test_letter_paper_fails_a4(tmp_path: Path, faces: dict[int, Path]) -> None:
    facts = read_pdf(make_pdf(tmp_path / "letter.pdf", faces, size="Letter"))
    finding = check_size(facts, Expect())
    assert not finding.ok
    assert "216×279 mm" in finding.detail


def test_landscape_a4_fails_where_portrait_is_expected(
    tmp_path: Path, faces: dict[int, Path]
) -> None:
    facts = read_pdf(make_pdf(tmp_path / "wide.pdf", faces, size=(297, 210)))
    assert not check_size(facts, Expect(orientation="portrait")).ok
    assert check_size(facts, Expect(orientation="landscape")).ok
    assert check_size(facts, Expect(orientation="any")).ok


def test_chinese_in_a_japanese_face_fails(tmp_path: Path, faces: dict[int, Path]) -> None:
    facts = read_pdf(make_pdf(tmp_path / "jp.pdf", faces, face=JP))
    fonts = {f.check: f for f in check_fonts(facts)}
    assert not fonts["CJK fonts"].ok
    assert "notosanscjkjp" in fonts["CJK fonts"].detail.lower()
    assert fonts["embedded"].ok


def test_text_at_the_paper_edge_fails_the_margins(tmp_path: Path, faces: dict[int, Path]) -> None:
    facts = read_pdf(make_pdf(tmp_path / "edge.pdf", faces, margin=5))
    finding = check_margins(facts, Expect(margin_mm=15))
    assert not finding.ok
    assert "page 1" in finding.detail
    # Spreadsheets print within the printer's margins: not checked.
    assert check_margins(facts, Expect(margin_mm=None)).ok


def test_too_many_pages_fail_the_expected_range(tmp_path: Path, faces: dict[int, Path]) -> None:
    facts = read_pdf(make_pdf(tmp_path / "long.pdf", faces, pages=4))
    assert not check_page_count(facts, Expect(pages=(1, 3))).ok
    assert check_page_count(facts, Expect(pages=(4, 4))).ok


def test_a_pdf_without_chinese_text_fails_the_font_check(
    tmp_path: Path, faces: dict[int, Path]
) -> None:
    facts = read_pdf(make_pdf(tmp_path / "latin.pdf", faces, lines=("Report 2026",)))
    assert "CJK fonts" in failed(check_fonts(facts))


def test_print_titles_must_show_on_every_page(tmp_path: Path, faces: dict[int, Path]) -> None:
    sheet = SheetTitles("台账", "县直机关工委学时台账", ("姓名", "所在支部"))
    both = make_pdf(tmp_path / "both.pdf", faces, pages=3, lines=LEDGER)
    assert check_repeated(read_pdf(both), [sheet]).ok
    # The title in a footer alone is not enough: the header row must repeat too.
    title_only = make_pdf(
        tmp_path / "title.pdf", faces, pages=2, lines=("县直机关工委学时台账", "张三")
    )
    finding = check_repeated(read_pdf(title_only), [sheet])
    assert not finding.ok and "page 1, 2" in finding.detail
    assert not check_repeated(read_pdf(both), []).ok  # no print titles set at all


def test_pdffonts_rows_are_read_by_its_columns() -> None:
    output = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "BAAAAA+NotoSerifCJKsc-Regular        CID Type 0C       Identity-H       yes yes yes     12  0\n"
        "Helvetica                            Type 1            WinAnsi          no  no  no      20  0\n"
    )
    rows = parse_pdffonts(output)
    assert [(r.name, r.embedded) for r in rows] == [
        ("NotoSerifCJKsc-Regular", True),
        ("Helvetica", False),
    ]
