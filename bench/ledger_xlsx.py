"""Benchmark: a study-hour 台账 as .xlsx through `core.workbooks`, beside bare openpyxl.

    .venv/bin/python bench/ledger_xlsx.py [--rows 10000] [--rules 10]

No database: one ledger-shaped row (name, branch, the orgs above, 13 hour columns, four columns
per rule) written `--rows` times. The floor is openpyxl's write-only mode with the same values as
plain numbers and text, no styles; the writer adds the title rows, typed and bordered cells,
fitted widths and print settings. Peak memory (maxrss) is printed after each, to show that a
100,000-row export streams instead of growing with its rows.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peixun.settings_test")
    import django  # noqa: PLC0415 -- Django is set up only once the settings are chosen

    django.setup()
    from django.utils import translation  # noqa: PLC0415 -- after django.setup()
    from openpyxl import Workbook  # noqa: PLC0415 -- after django.setup(), like the app

    from peixun.core.workbooks import (  # noqa: PLC0415 -- after django.setup()
        Column,
        LedgerBook,
        year_period,
    )

    row: list[Any] = ["欧阳建国", "第一党支部", "县发展和改革局机关党委"] + [Decimal("12.25")] * 13
    columns = [Column("姓名"), Column("所在支部"), Column("上级党组织")]
    columns += [Column(f"类型{n}学时（按类型）", "hours") for n in range(13)]
    for rule in range(args.rules):
        row += [Decimal(32), Decimal("36.25"), Decimal(0), "达标"]
        columns += [
            Column(f"规则{rule}：应达到（学时）", "hours"),
            Column(f"规则{rule}：已达到（学时）", "hours"),
            Column(f"规则{rule}：尚差（学时）", "hours"),
            Column(f"规则{rule}：完成情况"),
        ]

    def floor() -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("台账")
        plain = [float(v) if isinstance(v, Decimal) else v for v in row]
        for _n in range(args.rows):
            sheet.append(plain)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def ledger() -> bytes:
        with translation.override("zh-hans"):
            book = LedgerBook()
            sheet = book.sheet(
                "学时台账",
                title="县直机关工委2026年度学时台账",
                org="县直机关工委",
                period=year_period(2026),
                columns=columns,
                freeze_columns=2,
            )
            for _n in range(args.rows):
                sheet.append(row)
            sheet.totals([None, None, None] + [Decimal(args.rows)] * 13)
            return book.save()

    print(f"{args.rows:,} rows × {len(row)} columns")
    for name, build in (("floor: bare openpyxl write-only", floor), ("core.workbooks", ledger)):
        started = time.perf_counter()
        data = build()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"  {name:34} {seconds:7.2f} s  {len(data) // 1024:6,} KiB  maxrss {peak} MiB")


if __name__ == "__main__":
    main()
