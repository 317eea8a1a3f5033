"""Which glyphs LibreOffice really draws for the official face names.

Noto's CJK collections (.ttc) share one CFF outline table among their Japanese, Korean, Simplified
and Traditional faces, and that table is named for the Japanese cut: LibreOffice embeds whatever
face it used as "NotoSerifCJKjp-…". The name cannot tell a Simplified Chinese page from the
Japanese fallback this check exists to catch, so the glyphs do: for each official face name a
one-line .docx of characters whose Chinese and Japanese forms differ (骨, 直, 角, 递) goes through
LibreOffice, and its glyphs are compared, pixel by pixel at 300 dpi, with the same characters drawn
from the Simplified Chinese and the Japanese faces of the font fontconfig names for it. The face
is right when the picture matches the Chinese one better.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF
from PIL import Image, ImageChops

from .checks import Finding, executable

PROBE = "骨直角递"
NOTO = Path("/usr/share/fonts/opentype/noto")
# The official name, and the collection fontconfig maps it to (peixun/core/fonts/65-peixun-cjk.conf);
# the collection's faces 0 and 2 are its Japanese and Simplified Chinese cuts.
OFFICIAL = (
    ("仿宋_GB2312", NOTO / "NotoSerifCJK-Regular.ttc", False),
    ("方正小标宋简体", NOTO / "NotoSerifCJK-Bold.ttc", False),
    ("黑体", NOTO / "NotoSansCJK-Regular.ttc", False),
    ("宋体", NOTO / "NotoSerifCJK-Regular.ttc", False),
)
JAPANESE, SIMPLIFIED = 0, 2


@dataclass(frozen=True)
class FaceProbe:
    name: str
    chinese: int  # pixels that differ from the Simplified Chinese cut
    japanese: int  # … from the Japanese cut

    @property
    def ok(self) -> bool:
        return self.chinese < self.japanese


def _probe_docx(face: str) -> bytes:
    document = Document()
    run = document.add_paragraph().add_run(PROBE)
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), face)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    r_pr = run._element.get_or_add_rPr()
    r_pr.append(fonts)
    r_pr.append(lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _reference_pdf(collection: Path, index: int, path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.add_font("probe", "", collection, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("probe", "", 16)
    pdf.cell(0, 10, PROBE)
    pdf.output(str(path))


def _glyphs(pdf: Path) -> Image.Image:
    """The ink of the first page, cropped to its bounding box and scaled to a fixed size."""
    stem = pdf.with_suffix("")
    subprocess.run(
        [executable("pdftoppm"), "-r", "300", "-f", "1", "-l", "1", "-singlefile", "-gray"]
        + [str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )
    with Image.open(stem.with_suffix(".pgm")) as page:
        ink = page.point(lambda v: 255 if v > 128 else 0)
    box = ImageChops.invert(ink).getbbox()
    return ink.crop(box).resize((256, 64)) if box else ink.resize((256, 64))


def _difference(a: Image.Image, b: Image.Image) -> int:
    return int(ImageChops.difference(a, b).point(lambda v: 1 if v > 128 else 0).histogram()[1])


def probe_faces(profile: Path) -> list[FaceProbe]:
    probes = []
    with tempfile.TemporaryDirectory(prefix="docs-check-faces-") as folder:
        work = Path(folder)
        for number, (face, collection, _) in enumerate(OFFICIAL):
            source = work / f"face{number}.docx"
            source.write_bytes(_probe_docx(face))
            # One call per face: LibreOffice keeps a fallback it chose across one call's files.
            subprocess.run(
                [executable("soffice"), f"-env:UserInstallation=file://{profile}", "--headless"]
                + ["--convert-to", "pdf", "--outdir", str(work), str(source)],
                check=False,
                capture_output=True,
                timeout=120,
            )
            drawn = _glyphs(work / f"face{number}.pdf")
            references = {}
            for index in (SIMPLIFIED, JAPANESE):
                reference = work / f"face{number}-{index}.pdf"
                _reference_pdf(collection, index, reference)
                references[index] = _glyphs(reference)
            probes.append(
                FaceProbe(
                    face,
                    _difference(drawn, references[SIMPLIFIED]),
                    _difference(drawn, references[JAPANESE]),
                )
            )
    return probes


def probe_finding(probes: list[FaceProbe]) -> Finding:
    wrong = [p for p in probes if not p.ok]
    detail = ", ".join(
        f"{p.name} {'SC' if p.ok else 'JP'} ({p.chinese}/{p.japanese})" for p in probes
    )
    return Finding("LibreOffice faces", not wrong, detail)
