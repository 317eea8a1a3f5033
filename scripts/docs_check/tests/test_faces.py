"""The face probe: LibreOffice's PDFs name Noto's Chinese faces for the Japanese cut, so the
glyphs decide. A Japanese-form picture must fail; what this machine's LibreOffice draws must pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..checks import PdfFacts, check_fonts
from ..faces import FaceProbe, probe_faces, probe_finding


def test_a_face_closer_to_the_japanese_forms_fails() -> None:
    finding = probe_finding([FaceProbe("仿宋_GB2312", 0, 400), FaceProbe("黑体", 380, 5)])
    assert not finding.ok
    assert "黑体 JP" in finding.detail


def test_the_shared_noto_name_passes_only_once_the_glyphs_are_chinese() -> None:
    facts = PdfFacts([], [], [], [], [], cjk_runs={"NotoSerifCJKjp-Regular": 20})
    assert not all(f.ok for f in check_fonts(facts))
    assert all(f.ok for f in check_fonts(facts, noto_shared_is_chinese=True))
    korean = PdfFacts([], [], [], [], [], cjk_runs={"NotoSerifCJKkr-Regular": 20})
    assert not all(f.ok for f in check_fonts(korean, noto_shared_is_chinese=True))


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="needs LibreOffice"
)
def test_libreoffice_here_draws_the_chinese_forms(tmp_path: Path) -> None:
    finding = probe_finding(probe_faces(tmp_path / "profile"))
    assert finding.ok, finding.detail
