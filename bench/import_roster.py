"""Benchmark: import a 10,000-row roster (.xlsx) — target ≤ 10 s for dry run + import on SQLite.

    .venv/bin/python bench/import_roster.py [--rows 10000]

Builds a throwaway SQLite database under /tmp (never var/), migrates it, creates an org tree
(1 working committee → 10 committees → 100 branches) and an org admin, writes a valid roster
workbook (ID numbers from `make_id_number`), then times, in one process:

- the floors: openpyxl (read_only) merely reading every cell of the file, and python-calamine
  reading it;
- `roster_import` dry run (every check, no writes), the real import (10,000 creates), and a
  re-import of the same people with new mobile numbers (10,000 updates).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="peixun-bench-roster-"))
# Before Django reads its settings: a throwaway database and var dir, so var/ is never touched.
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ["PEIXUN_VAR_DIR"] = str(WORKDIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from peixun.accounts.models import Grant, User  # noqa: E402
from peixun.core.idcard import make_id_number  # noqa: E402
from peixun.core.spreadsheets import read_first_sheet  # noqa: E402
from peixun.members.documents import roster_headers  # noqa: E402
from peixun.members.models import Member  # noqa: E402
from peixun.members.services import roster_import  # noqa: E402
from peixun.orgs.models import Organization  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def build_tree() -> tuple[list[str], User]:
    K = Organization.Kind
    root = Organization.objects.add_root(
        {"code": "B", "name": "基准工委", "kind": K.WORKING_COMMITTEE}
    )
    codes: list[str] = []
    for u in range(10):
        unit = Organization.objects.add_child(
            root, {"code": f"B{u:02d}", "name": f"基准第{u + 1}党委", "kind": K.COMMITTEE}
        )
        for b in range(10):
            code = f"B{u:02d}{b:02d}"
            Organization.objects.add_child(
                unit, {"code": code, "name": f"基准第{u + 1}党委第{b + 1}支部", "kind": K.BRANCH}
            )
            codes.append(code)
    admin = User.objects.create_user(username="bench-admin", password="bench-pass-123")
    Grant.objects.create(user=admin, role=Grant.Role.ORG_ADMIN, org=root)
    return codes, admin


def roster_bytes(rows: int, codes: list[str], mobile_base: int) -> bytes:
    """A valid roster: dates both as date cells and as typed text, labels in Chinese."""
    with translation.override("zh-hans"):
        full = str(Member.Status.FULL.label)
        probationary = str(Member.Status.PROBATIONARY.label)
        staff = str(Member.CadreRank.STAFF.label)
        bachelor = str(Member.Education.BACHELOR.label)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append(roster_headers())
    start = dt.date(1960, 1, 1)
    for i in range(rows):
        birth = start + dt.timedelta(days=i % 18_000)
        number = make_id_number("110101", birth, (i % 500) * 2 + i % 2)
        joined = dt.date(birth.year + 25, birth.month, min(birth.day, 28))
        is_full = i % 10 != 0
        row: list[Any] = [
            SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)],
            "",  # gender: read from the ID number
            "汉族",
            birth,
            number,
            str(mobile_base + i),
            bachelor,
            joined if i % 2 else f"{joined.year}年{joined.month}月{joined.day}日",
            dt.date(joined.year + 1, joined.month, joined.day) if is_full else "",
            full if is_full else probationary,
            staff,
            "",
            "",
            codes[i % len(codes)],
        ]
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label: str, fn: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - began
    print(f"  {label:<44} {seconds:7.2f} s")
    return seconds, value


def read_openpyxl(data: bytes) -> int:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    count = sum(1 for _row in sheet.iter_rows(values_only=True))
    workbook.close()
    return count


def read_calamine(data: bytes) -> int:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return len(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        codes, admin = build_tree()
        data = roster_bytes(args.rows, codes, 13_900_000_000)
        again = roster_bytes(args.rows, codes, 15_800_000_000)
        print(f"roster import, {args.rows:,} rows, {len(data) / 1024:.0f} KiB, SQLite at {WORKDIR}")
        print("floor (same file, same run):")
        timed("openpyxl read_only: read every cell", lambda: read_openpyxl(data))
        timed("python-calamine: read every cell", lambda: read_calamine(data))
        timed(
            "read_first_sheet: extent check + calamine in a limited child",
            lambda: len(read_first_sheet(data)),
        )
        print("roster_import:")
        dry, result = timed(
            "dry run (check only)",
            lambda: roster_import(actor=admin, data=data, filename="bench.xlsx", dry_run=True),
        )
        assert result.ok and result.created == args.rows, result.errors[:5]
        real, result = timed(
            "import (creates)",
            lambda: roster_import(actor=admin, data=data, filename="bench.xlsx", dry_run=False),
        )
        assert result.ok and result.created == args.rows, result.errors[:5]
        assert Member.objects.count() == args.rows
        update, result = timed(
            "re-import with new mobiles (updates)",
            lambda: roster_import(actor=admin, data=again, filename="bench.xlsx", dry_run=False),
        )
        assert result.ok and result.updated == args.rows, result.errors[:5]
        assert Member.objects.count() == args.rows
        total = dry + real
        verdict = "within" if total <= 10 else "OVER"
        print(
            f"dry run + import: {total:.2f} s ({verdict} the 10 s target); updates: {update:.2f} s"
        )
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
