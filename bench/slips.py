"""Benchmark: activation slips for many members, as PDF and as .docx.

    .venv/bin/python bench/slips.py [--members 1000]

No database: the builders take the rows the view makes. Prints, for the same rows, the floor (the
QR codes alone, encoded by segno: every slip needs one, whatever the file) and each builder's time
and size. A branch is ~22 members (seconds); a whole county at once is ~10,000 (minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peixun.settings_test")
    import django  # noqa: PLC0415 -- Django is set up only once the settings are chosen

    django.setup()
    import segno  # noqa: PLC0415 -- after django.setup(), like the app modules below
    from django.utils import timezone  # noqa: PLC0415 -- after django.setup()

    from peixun.accounts.documents import (  # noqa: PLC0415 -- after django.setup()
        SlipRow,
        activation_slips,
        activation_slips_pdf,
    )

    site = "https://peixun.example.gov.cn/accounts/activate/?code="
    rows = [
        SlipRow(
            f"党员{i}",
            "某县委 › 县统计局党总支 › 办公室党支部",
            f"139{i:08d}",
            f"ABCDE-{i:05d}",
            timezone.now(),
            f"{site}ABCDE-{i:05d}",
        )
        for i in range(args.members)
    ]
    started = time.perf_counter()
    for row in rows:
        segno.make(row.url, error="m")
    floor = time.perf_counter() - started
    print(f"{args.members} slips; floor (QR codes alone): {floor:.1f} s")
    for name, build in (("pdf", activation_slips_pdf), ("docx", activation_slips)):
        started = time.perf_counter()
        data = build(rows)
        took = time.perf_counter() - started
        print(f"  {name:>4}: {took:.1f} s, {len(data) // 1024} KB, {took / floor:.1f}x the floor")


if __name__ == "__main__":
    main()
