"""Benchmark: the annual report of a 10,000-member org (every figure of the catalogue and the
.docx), with the peak memory of the process that wrote it, beside a floor measured in the same run.

    .venv/bin/python bench/report.py [--members 10000] [--branches 500] [--years 3] [--keep]

Generates a tenant (`generate_tenant`), a ledger over several years (`generate_hours` once per
year pair), and for every branch and year its meetings (theme days monthly, Party lectures
quarterly, an expert lecture with its attendance) and 中心组学习 in every unit, written in bulk.
Then a FRESH child process (so its peak memory is the report's, not the generator's) times the
report of the last full year and of the whole range: `report_figures` plus `report_docx`, and
prints `resource.getrusage(RUSAGE_SELF).ru_maxrss`. The floor, in the same child: the headline
aggregates as raw SQL (members of the period, ledger sums, meetings by kind) on the same data.
Targets: ≤ 5 s and ≤ 300 MB. SQLite under /tmp, dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE_PATH = Path("/tmp/peixun-bench-report.sqlite3")
TENANT_CODE = "BENCHR"
TARGET_S = 5.0
TARGET_MB = 300


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--members", type=int, default=10_000)
    p.add_argument("--branches", type=int, default=500)
    p.add_argument("--years", type=int, default=3, help="full years of data before this one")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


def environment(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ["PEIXUN_VAR_DIR"] = str(workdir)
    os.environ["PEIXUN_ALLOWED_HOSTS"] = "testserver"
    os.environ["PEIXUN_AXES"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
    os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")


def generate(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from peixun.accounts.models import Grant, User
    from peixun.demo.generator import TenantSize, generate_tenant
    from peixun.demo.hours import generate_hours
    from peixun.events.models import Attendance, Event
    from peixun.members.models import Member
    from peixun.orglife.models import Meeting, MeetingKind
    from peixun.orgs.models import Organization

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as c:
        c.execute("PRAGMA synchronous=OFF")
        c.execute("PRAGMA journal_mode=WAL")
    size = TenantSize(members=args.members, branches=args.branches)
    tenant = generate_tenant(code=TENANT_CODE, name="基准市直机关工委", size=size)
    root = tenant.root
    this_year = timezone.localdate().year
    first = this_year - args.years
    # generate_hours fills the year before `today` and the year of `today` to date.
    for year in range(first + 1, this_year + 1, 2):
        generate_hours(root, today=dt.date(year, 12, 31), seed=year)
    rng = random.Random(14)
    branches = list(
        Organization.objects.filter(path__startswith=root.path, kind=Organization.Kind.BRANCH)
    )
    units = list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1))
    members_by_branch: dict[int, list[int]] = {}
    for pk, org_id in Member.objects.filter(org__path__startswith=root.path).values_list(
        "pk", "org_id"
    ):
        members_by_branch.setdefault(org_id, []).append(pk)

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(14)))

    plan: list[tuple[Organization, str, dt.date]] = []
    for year in range(first, this_year):
        for branch in branches:
            plan += [(branch, MeetingKind.THEME_DAY, dt.date(year, m, 15)) for m in range(1, 13)]
            plan += [(branch, MeetingKind.LECTURE, dt.date(year, m, 20)) for m in (3, 6, 9, 12)]
            plan.append((branch, MeetingKind.EXPERT_LECTURE, dt.date(year, 5, rng.randint(1, 28))))
        for unit in units:
            plan += [(unit, MeetingKind.CENTRAL_GROUP, dt.date(year, m, 8)) for m in (2, 5, 8, 11)]
    events = Event.objects.bulk_create(
        [
            Event(
                category=Event.Category.MEETING,
                org=org,
                title=kind,
                starts_at=at(day),
                ends_at=at(day) + dt.timedelta(hours=2),
                hours=Decimal(1),
            )
            for org, kind, day in plan
        ],
        batch_size=2000,
    )
    Meeting.objects.bulk_create(
        [
            Meeting(event=e, kind=kind, host="书记")
            for e, (_o, kind, _d) in zip(events, plan, strict=True)
        ],
        batch_size=2000,
    )
    rows = []
    for event, (org, kind, _day) in zip(events, plan, strict=True):
        if kind == MeetingKind.EXPERT_LECTURE:
            for member_id in members_by_branch.get(org.pk, [])[:25]:
                rows.append(
                    Attendance(event=event, member_id=member_id, status="present", method="manual")
                )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    admin = User.objects.create_user(username="bench_report_admin", password=None)
    Grant.objects.create(user=admin, org=root, role=Grant.Role.ORG_ADMIN)
    print(
        f"   load: {Member.objects.filter(org__path__startswith=root.path).count():,} members,"
        f" {len(branches)} branches, {len(plan):,} meetings, {len(rows):,} attendance rows,"
        f" years {first}–{this_year}: {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from peixun.accounts.models import User
    from peixun.orgs.models import Organization
    from peixun.reports.documents.report import report_docx
    from peixun.reports.models import ReportDraft, ReportKind
    from peixun.reports.selectors.drafts import draft_report
    from peixun.reports.selectors.figures import ReportPeriod, report_figures

    admin = User.objects.get(username="bench_report_admin")
    root = Organization.objects.get(code=TENANT_CODE)
    this_year = timezone.localdate().year
    last = this_year - 1
    first = this_year - args.years

    def report(first_year: int) -> tuple[float, int, int]:
        draft = ReportDraft(
            org=root,
            kind=ReportKind.ANNUAL_SUMMARY,
            first_year=first_year,
            last_year=last,
            title="基准报告",
            opening="开头",
        )
        t = time.perf_counter()
        built = draft_report(admin, draft)
        docx = report_docx(built)
        return time.perf_counter() - t, len(built.figures), len(docx)

    # Warm the connection and the code paths once, then time.
    report_figures(actor=admin, org=root, period=ReportPeriod(last, last))
    out = []
    for first_year in (last, first):
        secs, n, size = report(first_year)
        out.append((f"report {first_year}–{last}: {n} figures + .docx ({size // 1024} KB)", secs))

    members = "members_membership"
    ledger = "hours_creditentry"
    orgs = "orgs_organization"

    def floor() -> None:
        with connection.cursor() as c:
            c.execute(
                f"SELECT COUNT(DISTINCT m.member_id) FROM {members} m JOIN {orgs} o ON o.id = m.org_id"  # noqa: S608
                " WHERE o.path LIKE %s AND m.since <= %s AND (m.until IS NULL OR m.until > %s)",
                [root.path + "%", dt.date(last, 12, 31), dt.date(first, 1, 1)],
            )
            c.fetchall()
            c.execute(
                f'SELECT year, SUM(hours), SUM(CASE WHEN online THEN hours ELSE 0 END), COUNT(DISTINCT member_id) FROM {ledger} WHERE state = %s AND "on" >= %s AND "on" <= %s GROUP BY year',  # noqa: S608
                ["confirmed", dt.date(first, 1, 1), dt.date(last, 12, 31)],
            )
            c.fetchall()
            c.execute(
                "SELECT g.kind, COUNT(*) FROM orglife_meeting g JOIN events_event e ON e.id = g.event_id"
                " JOIN orgs_organization o ON o.id = e.org_id WHERE o.path LIKE %s"
                " AND e.starts_at >= %s AND e.starts_at < %s GROUP BY g.kind",
                [
                    root.path + "%",
                    dt.datetime(first, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(last + 1, 1, 1, tzinfo=dt.UTC),
                ],
            )
            c.fetchall()

    t = time.perf_counter()
    floor()
    out.append(
        (f"floor: the headline aggregates as raw SQL ({first}–{last})", time.perf_counter() - t)
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for label, secs in out:
        print(f"   {label:<62} {secs:7.2f} s", flush=True)
    print(f"   peak memory of this process (ru_maxrss): {peak_mb:.0f} MB", flush=True)
    # The target is the annual report (DESIGN.md §7); the range is printed beside it.
    annual = out[0][1]
    ok = annual <= TARGET_S and peak_mb <= TARGET_MB
    print(
        f"   target for the annual report ≤ {TARGET_S:.0f} s and ≤ {TARGET_MB} MB:"
        f" {'met' if ok else 'NOT met'} ({annual:.2f} s, {peak_mb:.0f} MB)",
        flush=True,
    )


def main() -> None:
    args = parse()
    workdir = Path(
        os.environ.get("PEIXUN_BENCH_WORKDIR") or tempfile.mkdtemp(prefix="peixun-bench-report-")
    )
    os.environ["PEIXUN_BENCH_WORKDIR"] = str(workdir)
    environment(workdir)
    if args.child:
        child(args)
        return
    print(
        f"== sqlite: {args.members:,} members, {args.branches} branches, {args.years} years",
        flush=True,
    )
    if not (args.keep and SQLITE_PATH.exists()):
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        generate(args)
    else:  # a kept database: bring its schema up to date (outside the measured child)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    command = [
        sys.executable,
        __file__,
        "--child",
        "--members",
        str(args.members),
        "--years",
        str(args.years),
    ]
    subprocess.run(command, check=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
