"""Benchmark: import a 1,000,000-row external study record file (学习强国-style .xlsx) — target
≤ 60 s for the dry run + apply, with the worker's peak memory ≤ 500 MB (DESIGN §7, issue 16).

    .venv/bin/python bench/learning_import.py [--people 20000] [--rows-each 50]

Builds a throwaway SQLite database under /tmp (never var/), an org tree (1 working committee →
100 branches), 20,000 members with valid ID numbers and an org admin, and writes the export as
the platforms do (shared strings, a header row; 50 dated rows a member in 2025, a week's study each: 姓名, 公民身份号码,
手机号, 单位, 日期, 学时, 积分, 课程名称). Then, each in a process of its own so that each peak is
its own:

- the floor: python-calamine reading every row of the same file (`iter_rows`), as a plain
  script would;
- the worker: `import_check_run` (the dry run: stream the file, its rows handed over from the
  reader child in batches, sum each person's rows, match by ID number, write the report) and
  `import_apply_run` (20,000 records; the ledger entries through `hours.entries_record_bulk`,
  one audit event for them), with the peak resident memory of the worker and of its
  sheet-reading child.

BENCH_WORKDIR=DIR keeps the database and the file in DIR (a copy taken after `--build` lets the
worker step be rerun: `--worker BATCH ADMIN`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="peixun-bench-ext-"))
os.environ["BENCH_WORKDIR"] = str(WORKDIR)
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ["PEIXUN_VAR_DIR"] = str(WORKDIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")

HEADER = ["姓名", "公民身份号码", "手机号", "单位", "日期", "学时", "积分", "课程名称"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def person_name(p: int) -> str:
    g = len(GIVEN)
    return SURNAMES[p % 20] + GIVEN[p // 20 % g] + GIVEN[p // (20 * g) % g]


def peak_mb() -> tuple[int, int]:
    """Peak resident memory (MB) of this process and of its largest child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return own, child


def id_number(i: int) -> str:
    from peixun.core.idcard import make_id_number

    return make_id_number("110101", dt.date(1970, 1, 1) + dt.timedelta(days=i // 1000), i % 1000)


def write_export(path: Path, people: int, rows_each: int) -> int:
    """The export as a platform writes it: one sheet, shared strings, numbers inline."""
    strings: dict[str, int] = {}

    def s(text: str) -> int:
        return strings.setdefault(text, len(strings))

    def row(n: int, cells: list[tuple[str, str]]) -> str:
        parts = [f'<row r="{n}">']
        for i, (kind, value) in enumerate(cells):
            ref = f"{'ABCDEFGH'[i]}{n}"
            if kind == "s":
                parts.append(f'<c r="{ref}" t="s"><v>{s(value)}</v></c>')
            else:
                parts.append(f'<c r="{ref}"><v>{value}</v></c>')
        parts.append("</row>")
        return "".join(parts)

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    courses = [f"学习专题第{i}讲" for i in range(60)]
    ids = [id_number(p) for p in range(people)]
    n = 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}">'
            '<sheets><sheet name="学习情况" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'.encode()
            )
            buffer = [row(1, [("s", h) for h in HEADER])]
            for r in range(rows_each):
                day = (dt.date(2025, 1, 1) + dt.timedelta(days=r * 17 % 365)).isoformat()
                for p in range(people):
                    n += 1
                    name = person_name(p)
                    buffer.append(
                        row(
                            n,
                            [
                                ("s", name),
                                ("s", ids[p]),
                                ("s", f"139{p:08d}"),
                                ("s", f"基准第{p % 100:03d}党支部"),
                                ("s", day),
                                ("n", "0.5"),
                                ("n", str(r % 7)),
                                ("s", courses[(p + r) % 60]),
                            ],
                        )
                    )
                    if len(buffer) >= 5000:
                        out.write("".join(buffer).encode())
                        buffer = []
            out.write("".join(buffer).encode())
            out.write(b"</sheetData></worksheet>")
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
            + "</sst>",
        )
    return n - 1


def build(people: int, rows_each: int) -> tuple[int, int, int]:
    """The tenant, the members and the file; returns (batch id, admin id, data rows)."""
    import django

    django.setup()
    from django.core.management import call_command

    from peixun.accounts.models import Grant, User
    from peixun.core.crypto import encrypt_text, keyed_hash
    from peixun.core.idcard import mask_id_number
    from peixun.learning.models import ExternalSource, ImportBatch
    from peixun.learning.services.imports import default_mapping
    from peixun.members.models import Member, Membership
    from peixun.orgs.models import Organization

    call_command("migrate", verbosity=0)
    K = Organization.Kind
    root = Organization.objects.add_root(
        {"code": "B01", "name": "基准县直机关工委", "kind": K.WORKING_COMMITTEE}
    )
    branches = [
        Organization.objects.add_child(
            root, {"code": f"B01{b:03d}", "name": f"基准第{b:03d}党支部", "kind": K.BRANCH}
        )
        for b in range(100)
    ]
    admin = User.objects.create_user(username="bench-admin", password="bench-pass-123")
    Grant.objects.create(user=admin, role=Grant.Role.ORG_ADMIN, org=root)
    members = []
    for p in range(people):
        number = id_number(p)
        members.append(
            Member(
                name=person_name(p),
                gender="M" if p % 2 else "F",
                birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=p // 1000),
                id_number_encrypted=encrypt_text(number),
                id_number_hash=keyed_hash(number),
                id_number_masked=mask_id_number(number),
                mobile=f"139{p:08d}",
                org=branches[p % 100],
                joined_on=dt.date(2010, 7, 1),
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)
    Membership.objects.bulk_create(
        [Membership(member=m, org_id=m.org_id, since=dt.date(2010, 7, 1)) for m in members],
        batch_size=5000,
    )
    source = ExternalSource.objects.create(
        org=root, name="学习强国", platform="xuexi", mapping=default_mapping()
    )
    folder = WORKDIR / "media" / "learning-imports"
    folder.mkdir(parents=True, exist_ok=True)
    rows = write_export(folder / "bench.xlsx", people, rows_each)
    batch = ImportBatch.objects.create(
        source=source, period="2025", filename="学习强国2025.xlsx", created_by=admin,
        file="learning-imports/bench.xlsx",
    )  # fmt: skip
    return batch.pk, admin.pk, rows


def run_worker(batch_id: int, admin_id: int) -> None:
    """In a process of its own: what the worker does with the batch, timed, with its peaks."""
    import django

    django.setup()
    from peixun.learning.models import ImportBatch
    from peixun.learning.services.imports import import_apply_run, import_check_run

    t = time.perf_counter()
    import_check_run(batch_id)
    check = time.perf_counter() - t
    batch = ImportBatch.objects.get(pk=batch_id)
    counts = {"rows": batch.rows_read, "people": batch.people, "matched": batch.matched}
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.APPLYING)
    t = time.perf_counter()
    import_apply_run(batch_id, admin_id)
    apply = time.perf_counter() - t
    batch = ImportBatch.objects.get(pk=batch_id)
    own, child = peak_mb()
    print(
        json.dumps(
            {
                "check": check,
                "apply": apply,
                "own_mb": own,
                "child_mb": child,
                "status": batch.status,
                "new": batch.new,
                **counts,
            }  # fmt: skip
        )
    )


def run_floor(path: str) -> None:
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    rows = sum(1 for _ in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows())
    print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows, "mb": peak_mb()[0]}))


def child(*args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--people", type=int, default=20_000)
    p.add_argument("--rows-each", type=int, default=50)
    p.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    p.add_argument("--floor", help=argparse.SUPPRESS)
    p.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.build:
        batch_id, admin_id, rows = build(args.people, args.rows_each)
        print(json.dumps({"batch": batch_id, "admin": admin_id, "rows": rows}))
        return
    if args.worker:
        run_worker(*args.worker)
        return
    if args.floor:
        run_floor(args.floor)
        return
    # Each step in a process of its own, and this one never loads Django: a child's peak
    # resident memory (ru_maxrss) starts from its parent's size at the fork.
    t = time.perf_counter()
    built = child("--build", "--people", str(args.people), "--rows-each", str(args.rows_each))
    batch_id, admin_id, rows = int(built["batch"]), int(built["admin"]), int(built["rows"])  # type: ignore[call-overload]
    path = WORKDIR / "media" / "learning-imports" / "bench.xlsx"
    print(
        f"external records import: {rows:,} rows ({args.people:,} members × {args.rows_each}), "
        f"{path.stat().st_size / 1024**2:.0f} MB .xlsx, SQLite at {WORKDIR} "
        f"(built in {time.perf_counter() - t:.0f} s)"
    )
    floor = child("--floor", str(path))
    print(
        f"  floor: python-calamine reading every row       {floor['seconds']:7.2f} s"
        f"   peak {floor['mb']} MB"
    )
    got = child("--worker", str(batch_id), str(admin_id))
    total = float(got["check"]) + float(got["apply"])  # type: ignore[arg-type]
    print(f"  dry run (stream, sum, match, report)          {got['check']:7.2f} s")
    print(f"  apply ({got['new']:,} records, ledger entries, audit)  {got['apply']:7.2f} s")
    print(f"  dry run + apply                               {total:7.2f} s   (target ≤ 60 s)")
    print(
        f"  worker peak memory {got['own_mb']} MB, its sheet reader's {got['child_mb']} MB "
        "(target ≤ 500 MB)"
    )
    print(f"  rows read {got['rows']:,}, people {got['people']:,}, matched {got['matched']:,}")
    # The machine is often shared: the load says how far the seconds above are to be trusted.
    print(
        f"  load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    assert got["status"] == "applied", got
    assert got["rows"] == rows and got["matched"] == args.people, got


if __name__ == "__main__":
    main()
