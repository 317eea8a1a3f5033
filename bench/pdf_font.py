"""Benchmark: the time to render one small PDF through `core.printable`, the first in a process
(which parses the CJK font) and the ones after it (which reuse the parsed font).

    .venv/bin/python bench/pdf_font.py [--documents 10]

No database. Prints the first document's time, then the median and the slowest of the others,
with the parts: the FPDF with its two fonts (`pdf_with_cjk_font`), and the whole `render_pdf`
(which includes writing the file: fpdf2 subsets the font to the glyphs used, per document).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peixun.settings_test")
    import django  # noqa: PLC0415 -- Django is set up only once the settings are chosen

    django.setup()
    from peixun.core.printable import (  # noqa: PLC0415 -- after django.setup()
        Heading,
        Para,
        Printable,
        Table,
        pdf_with_cjk_font,
        render_pdf,
    )

    def document(number: int) -> Printable:
        return Printable(
            title=f"关于党员教育培训工作情况的报告（第{number}号）",
            issuer="中共测试局机关委员会",
            signature="中共测试局机关委员会",
            dated=dt.date(2024, 1, 15),
        ).add(
            Heading("一、基本情况"),
            Para("现有党员100名，全年参加集中培训的党员98名。"),
            Table(headers=["年度", "党员人数"], rows=[[2020 + i, 90 + i] for i in range(5)]),
        )

    def timed(work: object) -> float:
        start = time.perf_counter()
        work()  # type: ignore[operator]
        return time.perf_counter() - start

    font_times = [timed(pdf_with_cjk_font) for _ in range(3)]
    render_times = [timed(lambda n=n: render_pdf(document(n))) for n in range(args.documents)]
    print(f"pdf_with_cjk_font: first {font_times[0]:.3f} s, then {font_times[1]:.3f} s")
    print(
        f"render_pdf ({args.documents} one-page documents): "
        f"median {statistics.median(render_times):.3f} s, "
        f"slowest {max(render_times):.3f} s per document"
    )


if __name__ == "__main__":
    main()
