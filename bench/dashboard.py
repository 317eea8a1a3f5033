"""Benchmark: the 数据驾驶舱 of a 100,000-member tenant, beside a floor measured in the same run.

    .venv/bin/python bench/dashboard.py [--db sqlite|postgres|both] [--members 100000]
        [--branches 5000] [--entries 2000000] [--keep]

Builds the tenant as bench/compliance.py does (`generate_tenant`, then `generate_hours` with
entries / members ledger lines per member, the rollup and the default rules), and then, in bulk,
what the other tiles read: each branch's required meetings of the months passed (a fifth of the
branches skip some), two closed classes per unit with 30 accepted places each, two finalised
exams of the root with every member a candidate and four in five taking it, one plan per unit with
four items, and three expenses per branch. Times (best of 3 after a warm-up) the whole dashboard
of the root (`reports.selectors.dashboard.dashboard`) and each tile alone, as the org admin of the
root, for this year as of today. Floor: the same aggregates as raw SQL on the same data (members,
hours, meetings, classes and places, candidates and best attempts, plan items and expenses, each
grouped by the root's children), in the same run.

SQLite lives under /tmp, PostgreSQL in its own database `peixun_bench_dashboard` at
127.0.0.1:5432; both are dropped at the end unless --keep, which also reuses them on the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _timing import PG_SERVER, best_of, once, pg_admin, pg_exists, tenant_arguments  # noqa: E402 (bench/ is first on sys.path)

SQLITE_PATH = Path("/tmp/peixun-bench-dashboard.sqlite3")
PG_NAME = "peixun_bench_dashboard"
TENANT_CODE = "BENCHD"
TARGET_S = 0.3


def parse() -> argparse.Namespace:
    return tenant_arguments(__doc__, entries=2_000_000)


def activities(root: Any, year: int, today: dt.date) -> dict[str, int]:
    """Meetings, classes, exams, plans and expenses for the tiles, written in bulk."""
    from django.utils import timezone

    from peixun.events.models import Event
    from peixun.exams.models import Attempt, Candidate, Exam, Paper
    from peixun.members.models import Member
    from peixun.orglife.models import Meeting
    from peixun.orgs.models import Organization
    from peixun.plans.models import PlanItem, TrainingPlan
    from peixun.spending.models import Expense, Fund
    from peixun.training.models import Enrolment, TrainingClass

    rng = random.Random(14)
    tz = timezone.get_current_timezone()
    branches = list(
        Organization.objects.filter(path__startswith=root.path, kind=Organization.Kind.BRANCH)
    )
    units = list(Organization.objects.get_children(root))
    counts: dict[str, int] = {}

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(14), tzinfo=tz)

    plan = [
        (kind, month)
        for month in range(1, today.month + 1)
        for kind in ("committee", "group", "theme_day")
        if dt.date(year, month, 10) < today
    ] + [
        (kind, quarter * 3 - 1)
        for quarter in range(1, 5)
        for kind in ("branch_assembly", "lecture")
        if dt.date(year, quarter * 3 - 1, 10) < today
    ]
    events: list[Any] = []
    kinds: list[str] = []
    for branch in branches:
        sloppy = rng.random() < 0.2
        for kind, month in plan:
            if sloppy and rng.random() < 0.3:
                continue
            day = dt.date(year, month, 10)
            events.append(
                Event(
                    category=Event.Category.MEETING,
                    org=branch,
                    title=kind,
                    starts_at=at(day),
                    ends_at=at(day) + dt.timedelta(hours=2),
                    hours=Decimal(1),
                )  # fmt: skip
            )
            kinds.append(kind)
    made = Event.objects.bulk_create(events, batch_size=5000)
    Meeting.objects.bulk_create(
        [Meeting(event=e, kind=k, host="书记") for e, k in zip(made, kinds, strict=True)],
        batch_size=5000,
    )
    counts["meetings"] = len(made)

    # One read of the tenant's members, bucketed by their unit's path (a query per unit was
    # 5,000 `path LIKE` scans of a million members).
    members_by_unit: dict[int, list[int]] = {unit.pk: [] for unit in units}
    unit_of_path = {unit.path: unit.pk for unit in units}
    width = len(root.path) + Organization.steplen
    for pk, path in Member.objects.filter(org__path__startswith=root.path).values_list(
        "pk", "org__path"
    ):
        unit_pk = unit_of_path.get(path[:width])
        if unit_pk is not None:
            members_by_unit[unit_pk].append(pk)
    classes = TrainingClass.objects.bulk_create(
        [
            TrainingClass(
                org=unit,
                title=f"{unit.name}专题培训班{n}",
                kind="special" if n else "rotation",
                starts_on=dt.date(year, 3 + 4 * n, 5),
                ends_on=dt.date(year, 3 + 4 * n, 9),
                topic="innovation_theory",
                audience_org=unit,
                capacity=40,
                state=TrainingClass.State.CLOSED,
            )  # fmt: skip
            for unit in units
            for n in range(2)
        ],
        batch_size=2000,
    )
    places = [
        Enrolment(
            training_class=c,
            member_id=m,
            route=Enrolment.Route.NAMED,
            state=Enrolment.State.ACCEPTED,
        )
        for c in classes
        for m in rng.sample(members_by_unit[c.org_id], min(30, len(members_by_unit[c.org_id])))
    ]
    Enrolment.objects.bulk_create(places, batch_size=5000)
    counts["classes"], counts["places"] = len(classes), len(places)

    paper = Paper.objects.create(org=root, title="基准试卷", mode=Paper.Mode.FIXED, points={})
    members = list(
        Member.objects.filter(org__path__startswith=root.path).values_list("pk", "org_id")
    )
    candidates = attempts = 0
    for n in range(2):
        opens = at(dt.date(year, 4 + 3 * n, 1))
        exam = Exam.objects.create(
            org=root, title=f"应知应会测试{n + 1}", kind="quarterly", paper=paper,
            opens_at=opens, closes_at=opens + dt.timedelta(days=7), pass_percent=60,
            state=Exam.State.FINALISED,
        )  # fmt: skip
        Candidate.objects.bulk_create(
            [Candidate(exam=exam, member_id=m, org_id=o) for m, o in members], batch_size=10000
        )
        rows = []
        for m, o in members:
            if rng.random() < 0.8:
                score = Decimal(rng.randrange(30, 101))
                rows.append(
                    Attempt(
                        exam=exam,
                        member_id=m,
                        org_id=o,
                        number=1,
                        started_at=opens,
                        deadline_at=opens + dt.timedelta(minutes=30),
                        submitted_at=opens,
                        items=[],
                        max_score=Decimal(100),
                        score=score,
                        percent=score,
                        passed=score >= 60,
                    )  # fmt: skip
                )
        Attempt.objects.bulk_create(rows, batch_size=10000)
        candidates += len(members)
        attempts += len(rows)
    counts["candidates"], counts["attempts"] = candidates, attempts

    plans = TrainingPlan.objects.bulk_create(
        [
            TrainingPlan(org=u, year=year, title="年度培训计划", state=TrainingPlan.State.APPROVED)
            for u in units
        ]
    )
    items = [
        PlanItem(
            plan=p,
            position=n,
            content=f"计划事项{n}",
            responsible_org_id=p.org_id,
            deadline=dt.date(year, 3 * (n + 1), 28),
            planned_classes=1,
        )  # fmt: skip
        for p in plans
        for n in range(4)
    ]
    PlanItem.objects.bulk_create(items, batch_size=5000)
    counts["plan items"] = len(items)

    expenses = []
    for branch in branches:
        for n, fund in enumerate((Fund.PARTY_DUES, Fund.TRAINING_FUNDS, Fund.OTHER)):
            day = dt.date(year, 2 + 3 * n, 15)
            extra = (
                {"decision_body": "支委会", "decision_on": day} if fund == Fund.PARTY_DUES else {}
            )
            expenses.append(
                Expense(
                    org=branch,
                    spent_on=day,
                    amount=Decimal(rng.randrange(100, 3000)),
                    fund=fund,
                    purpose="教材资料",
                    **extra,
                )  # fmt: skip
            )
    Expense.objects.bulk_create(expenses, batch_size=5000)
    counts["expenses"] = len(expenses)
    return counts


def raw_floor(root: Any, year: int, as_of: dt.date) -> int:
    """The tiles' aggregates as raw SQL grouped by the root's children; returns the row count."""
    from django.db import connection

    from peixun.events.models import Event
    from peixun.exams.models import Attempt, Candidate, Exam
    from peixun.hours.models import CreditEntry
    from peixun.members.models import Member
    from peixun.orglife.models import Meeting
    from peixun.orgs.models import Organization
    from peixun.plans.models import PlanItem, TrainingPlan
    from peixun.spending.models import Expense
    from peixun.training.models import Enrolment, TrainingClass

    t = {
        m.__name__: connection.ops.quote_name(m._meta.db_table)
        for m in (
            Organization, Member, CreditEntry, Event, Meeting, TrainingClass, Enrolment,
            Exam, Candidate, Attempt, TrainingPlan, PlanItem, Expense,
        )
    }  # fmt: skip
    cut = len(root.path) + Organization.steplen
    like = root.path + "%"
    start, end = dt.date(year, 1, 1), as_of
    statements = [
        # members and exempt per child
        f"SELECT substr(o.path, 1, {cut}), count(*), sum(CASE WHEN m.exempt_reason <> '' THEN 1 "
        f"ELSE 0 END) FROM {t['Member']} m JOIN {t['Organization']} o ON o.id = m.org_id "
        "WHERE o.path LIKE %s GROUP BY 1",
        # hours per member (the compliance engine's input) and per child
        f"SELECT e.member_id, sum(e.hours), sum(CASE WHEN e.concentrated THEN 1 ELSE 0 END) "
        f"FROM {t['CreditEntry']} e JOIN {t['Member']} m ON m.id = e.member_id "
        f"JOIN {t['Organization']} o ON o.id = m.org_id WHERE o.path LIKE %s AND e.year = "
        f"{year} AND e.state = 'confirmed' GROUP BY e.member_id",
        # meetings held per branch and kind
        f"SELECT ev.org_id, mt.kind, count(*) FROM {t['Meeting']} mt JOIN {t['Event']} ev ON "
        f"ev.id = mt.event_id JOIN {t['Organization']} o ON o.id = ev.org_id WHERE o.path LIKE %s "
        f"AND ev.starts_at >= '{start}' AND ev.starts_at < '{end + dt.timedelta(days=1)}' "
        "GROUP BY ev.org_id, mt.kind",
        # closed classes per child, and places per child of the trainee
        f"SELECT substr(o.path, 1, {cut}), count(*) FROM {t['TrainingClass']} c JOIN "
        f"{t['Organization']} o ON o.id = c.org_id WHERE o.path LIKE %s AND c.state = 'closed' "
        f"AND c.starts_on >= '{start}' AND c.starts_on <= '{end}' GROUP BY 1",
        f"SELECT substr(o.path, 1, {cut}), count(*) FROM {t['Enrolment']} n JOIN "
        f"{t['TrainingClass']} c ON c.id = n.training_class_id JOIN {t['Member']} m ON "
        f"m.id = n.member_id JOIN {t['Organization']} o ON o.id = m.org_id WHERE o.path LIKE %s "
        f"AND n.state = 'accepted' AND c.state = 'closed' AND c.starts_on >= '{start}' "
        f"AND c.starts_on <= '{end}' GROUP BY 1",
        # exam candidates per child, best attempts per member
        f"SELECT substr(o.path, 1, {cut}), count(*) FROM {t['Candidate']} k JOIN "
        f"{t['Organization']} o ON o.id = k.org_id WHERE o.path LIKE %s GROUP BY 1",
        f"SELECT a.exam_id, a.member_id, substr(o.path, 1, {cut}), max(a.percent) FROM "
        f"{t['Attempt']} a JOIN {t['Organization']} o ON o.id = a.org_id WHERE o.path LIKE %s "
        "AND a.submitted_at IS NOT NULL GROUP BY a.exam_id, a.member_id, 3",
        # plan items per child
        f"SELECT substr(o.path, 1, {cut}), count(*) FROM {t['PlanItem']} i JOIN "
        f"{t['TrainingPlan']} p ON p.id = i.plan_id JOIN {t['Organization']} o ON "
        f"o.id = p.org_id WHERE o.path LIKE %s AND p.year = {year} GROUP BY 1",
        # expenses per child and fund
        f"SELECT substr(o.path, 1, {cut}), x.fund, sum(x.amount) FROM {t['Expense']} x JOIN "
        f"{t['Organization']} o ON o.id = x.org_id WHERE o.path LIKE %s AND x.voided_at IS NULL "
        f"AND x.spent_on >= '{start}' AND x.spent_on <= '{end}' GROUP BY 1, 2",
    ]
    rows = 0
    with connection.cursor() as c:
        for sql in statements:
            c.execute(sql, [like])
            rows += len(c.fetchall())
    return rows


def run_one(args: argparse.Namespace) -> None:
    db = args.db
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-dashboard-"))
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
    from peixun.orgs.models import Organization
    from peixun.reports.selectors import dashboard as board

    today = timezone.localdate()
    year = today.year
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
                c.execute("PRAGMA synchronous=OFF")
                c.execute("PRAGMA journal_mode=WAL")
        size = TenantSize(members=args.members, branches=args.branches)
        secs, tenant = once(
            lambda: generate_tenant(code=TENANT_CODE, name="基准县直机关工委", size=size)
        )
        loads.append((f"generate_tenant ({tenant.counts['members']:,} members)", secs))
        root = tenant.root
        per_member = max(1, round(args.entries / args.members))
        secs, counts = once(lambda: generate_hours(root, entries_per_member=per_member))
        loads.append((f"ledger + rollup + rules ({counts['entries']:,} entries)", secs))
        secs, made = once(lambda: activities(root, year, today))
        loads.append(
            ("activities (" + ", ".join(f"{v:,} {k}" for k, v in made.items()) + ")", secs)
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                secs, _ = once(lambda: c.execute("ANALYZE"))
            loads.append(("ANALYZE", secs))
        admin = User.objects.create_user(username="bench_dash_admin", password=None)
        Grant.objects.create(user=admin, org=root, role=Grant.Role.ORG_ADMIN)
    root = Organization.objects.get(code=TENANT_CODE)
    admin = User.objects.get(username="bench_dash_admin")
    for label, secs in loads:
        print(f"   load  {label}: {secs:.1f} s", flush=True)

    as_of = today
    frame = board.frame_for(admin, root, year, as_of)
    print(f"   root: {len(frame.children)} children", flush=True)
    rows: list[tuple[str, float, bool]] = []
    t_all, result = best_of(lambda: board.dashboard(actor=admin, org=root, year=year, as_of=as_of))
    rows.append(("the whole dashboard of the root, computed (every tile)", t_all, True))
    # What a reader waits for: the dashboard kept as a snapshot (refreshed by the
    # reports.dashboard_refresh job or the first reader), read and decoded.
    from django.conf import settings

    from peixun.reports.services import dashboard_read

    settings.DASHBOARD_MAX_AGE_SECONDS = 900
    dashboard_read(actor=admin, org=root, year=year, as_of=as_of, fresh=True)
    t_kept, _ = best_of(lambda: dashboard_read(actor=admin, org=root, year=year, as_of=as_of))
    rows.append(("the dashboard of the root, served from its snapshot", t_kept, True))
    page_time = page_timer(admin, root, year, as_of)
    if page_time is not None:
        rows.append(
            ("  the page (/reports/dashboard/) rendered from the snapshot", page_time, True)
        )
    compliance = board.people.compliance_of(frame)
    for name, fn in (
        ("hours (period_hours of the root)", lambda: board.hours_tile(frame)),
        ("compliance engine (org_compliance)", lambda: board.people.compliance_of(frame)),
        (
            "behind / at risk (given the engine's run)",
            lambda: board.compliance_tile(frame, compliance),
        ),
        (
            "concentrated (given the engine's run)",
            lambda: board.concentrated_tile(frame, compliance),
        ),
        ("by category (one engine load per category)", lambda: board.category_tile(frame)),
        ("regularity", lambda: board.regularity_tile(frame)),
        ("training", lambda: board.training_tile(frame)),
        ("exams", lambda: board.exams_tile(frame)),
        ("plans", lambda: board.plans_tile(frame)),
        ("spending", lambda: board.spending_tile(frame)),
    ):
        secs, _ = best_of(fn)
        rows.append((f"  tile: {name}", secs, False))
    t_floor, n_floor = best_of(lambda: raw_floor(root, year, as_of))
    figures = {t.key: {f.key: f.value for f in t.figures} for t in result.tiles}
    print(
        f"   figures: behind {figures['compliance']['behind']}, at risk "
        f"{figures['compliance']['at_risk']}, coverage {figures['hours']['coverage']} %, average "
        f"{figures['hours']['average_hours']} h, classes {figures['training']['classes']}, "
        f"person-times {figures['training']['person_times']}, exam participation "
        f"{figures['exams']['participation']} %, spent {figures['spending']['total']}",
        flush=True,
    )
    print(f"\n   {'figure':<58} {'seconds':>8} {'× floor':>8} {'target':>8}  verdict")
    print(
        f"   {'floor: the same aggregates as raw SQL (' + str(n_floor) + ' rows)':<58} {t_floor:8.3f}"
    )
    for label, secs, judged in rows:
        verdict = ("PASS" if secs <= TARGET_S else "MISS") if judged else ""
        target = f"≤ {TARGET_S}" if judged else ""
        print(f"   {label:<58} {secs:8.3f} {secs / t_floor:7.1f}× {target:>8}  {verdict}")
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


def page_timer(admin: Any, root: Any, year: int, as_of: dt.date) -> float | None:
    """Best of 3 of the whole page through Django's test client (template and charts' JSON
    included), served from the snapshot; None if the settings refuse the test client's host."""
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    url = f"/reports/dashboard/?org={root.pk}&year={year}&as_of={as_of.isoformat()}"
    answer = client.get(url, secure=True)
    if answer.status_code != 200:
        print(f"   (the page answered {answer.status_code}; not timed)")
        return None
    secs, _ = best_of(lambda: client.get(url, secure=True))
    return secs


def main() -> int:
    args = parse()
    if args.db != "both":
        run_one(args)
        return 0
    status = 0
    for db in ("sqlite", "postgres"):
        argv = [sys.executable, __file__, "--db", db, "--members", str(args.members)]
        argv += ["--branches", str(args.branches), "--entries", str(args.entries)]
        if args.keep:
            argv.append("--keep")
        status |= subprocess.call(argv)  # noqa: S603 - our own script
    return status


if __name__ == "__main__":
    sys.exit(main())
