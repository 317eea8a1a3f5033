"""Benchmark: compliance at national scale, beside the floors measured in the same run.

    .venv/bin/python bench/compliance.py [--db sqlite|postgres|both] [--members 100000]
        [--branches 5000] [--entries 5000000] [--keep]

Generates a tenant (`generate_tenant`) and one year of ledger entries (`generate_hours` with
entries_per_member = entries / members: raw `executemany` on SQLite with synchronous=OFF, COPY on
PostgreSQL), rebuilds the rollup and seeds the default rules, then times (best of 3 after a
warm-up) the root's compliance summary with its per-child breakdown and one branch's member
table. Floors: the same per-member totals (total, concentrated, online) as one raw SQL GROUP BY
over the ledger on the same database, and as the same GROUP BY in DuckDB over the same rows
(exported to CSV and loaded into an in-memory DuckDB table; only the GROUP BY is timed — DuckDB's
sqlite/postgres scanners are extensions that need a download, impossible here). Finally
`rollup_differences(year)` proves the rollup equals the ledger.

SQLite lives under /tmp, PostgreSQL in its own database `peixun_bench_compliance` at
127.0.0.1:5432; both are dropped at the end unless --keep, which also reuses them on the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _floors import ledger_floors  # noqa: E402 (bench/ is first on sys.path)
from _timing import PG_SERVER, best_of, once, pg_admin, pg_exists, tenant_arguments  # noqa: E402 (bench/ is first on sys.path)

SQLITE_PATH = Path("/tmp/peixun-bench-compliance.sqlite3")
PG_NAME = "peixun_bench_compliance"
TENANT_CODE = "BENCHC"
TARGET_SUMMARY_S = 1.0


def parse() -> argparse.Namespace:
    return tenant_arguments(__doc__, entries=5_000_000)


def run_one(args: argparse.Namespace) -> None:
    db = args.db
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-compliance-"))
    reuse = False
    if db == "sqlite":
        reuse = args.keep and SQLITE_PATH.exists()
        if not reuse:
            SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        reuse = args.keep and pg_exists(PG_NAME)
        if not reuse:
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
            pg_admin(f'CREATE DATABASE "{PG_NAME}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    # Before Django reads its settings: a throwaway database and var dir, never var/.
    os.environ["PEIXUN_VAR_DIR"] = str(workdir)
    os.environ["PEIXUN_ALLOWED_HOSTS"] = "testserver"
    os.environ["PEIXUN_AXES"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
    os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from peixun.accounts.models import Grant, User
    from peixun.demo.generator import TenantSize, generate_tenant
    from peixun.demo.hours import generate_hours
    from peixun.hours.models import CreditEntry
    from peixun.hours.selectors import member_table, org_compliance, rollup_differences
    from peixun.hours.services import rollup_rebuild
    from peixun.orgs.models import Organization

    year = timezone.localdate().year
    loads: list[tuple[str, float]] = []
    print(
        f"== {db}: {args.members:,} members, {args.branches:,} branches, "
        f"~{args.entries:,} entries, year {year}",
        flush=True,
    )
    if not reuse:
        secs, _ = once(lambda: call_command("migrate", verbosity=0))
        loads.append(("migrate", secs))
        if connection.vendor == "sqlite":
            with connection.cursor() as c:
                # Load speed only; a crash would just mean regenerating the throwaway file.
                c.execute("PRAGMA synchronous=OFF")
                c.execute("PRAGMA journal_mode=WAL")
        size = TenantSize(members=args.members, branches=args.branches)
        secs, tenant = once(
            lambda: generate_tenant(code=TENANT_CODE, name="基准县直机关工委", size=size)
        )
        loads.append((f"generate_tenant ({tenant.counts['members']:,} members)", secs))
        root = tenant.root
        per_member = max(1, round(args.entries / args.members))

        def progress(n: int) -> None:
            if n % 1_000_000 < 20_000:
                print(f"   … {n:,} entries written", flush=True)

        secs, counts = once(
            lambda: generate_hours(root, entries_per_member=per_member, progress=progress)
        )
        loads.append((f"ledger load + rollup + rules ({counts['entries']:,} entries)", secs))
        secs, cells = once(lambda: rollup_rebuild(year))
        loads.append((f"rollup_rebuild({year}) alone ({cells:,} cells)", secs))
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load; without it the planner guesses blind.
            with connection.cursor() as c:
                secs, _ = once(lambda: c.execute("ANALYZE"))
            loads.append(("ANALYZE (statistics after the bulk load)", secs))
        admin = User.objects.create_user(username="bench_root_admin", password=None)
        Grant.objects.create(user=admin, org=root, role=Grant.Role.ORG_ADMIN)
    root = Organization.objects.get(code=TENANT_CODE)
    admin = User.objects.get(username="bench_root_admin")
    entries = CreditEntry.objects.filter(year=year).count()
    for label, secs in loads:
        print(f"   load  {label:<58} {secs:8.1f} s", flush=True)
    print(f"   ledger rows for {year}: {entries:,}", flush=True)

    # The branch with the most members, for the member table.
    branch = (
        Organization.objects.filter(path__startswith=root.path, kind=Organization.Kind.BRANCH)
        .order_by("-id")
        .first()
    )
    from django.db.models import Count

    from peixun.members.models import Member

    biggest = (
        Member.objects.filter(org__path__startswith=root.path)
        .values("org__path")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if biggest:
        path = biggest["org__path"][: len(root.path) + 8]  # root / unit / branch
        branch = Organization.objects.get(path=path)
    assert branch is not None

    rows: list[tuple[str, float, str, str]] = []
    t_sum, oc = best_of(lambda: org_compliance(actor=admin, org=root, year=year))
    rows.append(("root summary + per-child (org_compliance)", t_sum, "", f"≤ {TARGET_SUMMARY_S} s"))
    mid_year = dt.date(year, 6, 30)
    t_mid, _mid = best_of(lambda: org_compliance(actor=admin, org=root, year=year, as_of=mid_year))
    rows.append((f"the same as of {mid_year} (ledger lines after it subtracted)", t_mid, "", ""))
    t_tab, table = best_of(lambda: member_table(actor=admin, org=branch, year=year))
    rows.append((f"member_table ({branch.name}, {len(table)} members)", t_tab, "", ""))
    print(
        f"   root: {oc.summary.members:,} members, {oc.summary.exempt:,} exempt, "
        f"{len(oc.children)} children, coverage {oc.summary.coverage}, "
        f"average {oc.summary.average_hours}",
        flush=True,
    )

    floors = ledger_floors(year, best_of)
    t_raw, t_duck = floors.raw_seconds, floors.duck_seconds
    rows.append(
        (f"floor: raw SQL GROUP BY member_id ({floors.raw_members:,} members)", t_raw, "floor", "")
    )
    rows.append(
        (f"floor: DuckDB in-memory GROUP BY ({floors.duck_members:,} members)", t_duck, "floor", "")
    )
    print(
        f"   DuckDB rows: exported from {db} to CSV and loaded into an in-memory DuckDB table in "
        f"{floors.export_seconds:.1f} s (not timed in the floor; the sqlite/postgres scanner "
        "extensions need a download, impossible here)",
        flush=True,
    )

    t_check, diffs = once(lambda: rollup_differences(year))
    check = "OK" if not diffs else f"{len(diffs)} differences"
    rows.append((f"rollup_differences({year}) [rebuild_rollups --check]: {check}", t_check, "", ""))

    floor = min(t_raw, t_duck)
    print(f"\n   {'figure':<62} {'seconds':>8} {'× floor':>8} {'target':>8}  verdict")
    for label, secs, kind, target in rows:
        ratio = "" if kind == "floor" else f"{secs / floor:7.1f}×"
        verdict = ""
        if target:
            verdict = "PASS" if secs <= TARGET_SUMMARY_S else "MISS"
        print(f"   {label:<62} {secs:8.3f} {ratio:>8} {target:>8}  {verdict}")
    print(flush=True)

    connection.close()
    if not args.keep:
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm", ".writers"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    args = parse()
    if args.db != "both":
        run_one(args)
        return 0
    status = 0
    for db in ("sqlite", "postgres"):
        # One Django settings per process: each database runs in its own interpreter.
        argv = [
            sys.executable,
            __file__,
            "--db",
            db,
            "--members",
            str(args.members),
            "--branches",
            str(args.branches),
            "--entries",
            str(args.entries),
        ]
        if args.keep:
            argv.append("--keep")
        status |= subprocess.call(argv)  # noqa: S603 - our own script
    return status


if __name__ == "__main__":
    sys.exit(main())
