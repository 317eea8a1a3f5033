"""Benchmark: the cost curve from 10,000 to 1,000,000 members on PostgreSQL (issue 18, items 1 and 6).

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--entries-per-member 20]
        [--keep [--migrate-kept]] [--repeats 3]

For each size, in its own PostgreSQL database `peixun_bench_scale_<size>` at 127.0.0.1:5432:

1. **Build** (one process): `generate_tenant` (branches of about 20 members), `generate_hours`
   with about `--entries-per-member` ledger lines per member this year (COPY), the rollup and the
   default rules, then what the dashboard's other tiles read, in bulk (bench/dashboard.py's
   `activities`: meetings, classes and places, two exams with every member a candidate, plans,
   expenses), and `ANALYZE`. Then the people the pages are read as — the root's org admin, the
   biggest branch's secretary — and the live paths' fixtures: an open meeting of that branch with
   its members' users and API tokens, and a published test of five judge questions to them.
2. **Refresh** (each in a process of its own, as the worker's jobs): `hours.compliance_refresh`
   for the root — every member below it judged (`org_compliance`) and the summary kept, which
   it is from `COMPLIANCE_KEEP_MEMBERS` (20,000) members; below that the page judges live — and
   `reports.dashboard_refresh`: the root's 数据驾驶舱 computed, every tile, and kept as the
   snapshot the page reads. Their times and peak memory are the worker's figures: how old a
   kept copy can get, not what a reader waits for.
3. **Measure** (a fresh process, so its memory is the pages' and not the build's), each figure the
   best of `--repeats` after a warm-up, as the org admin of the root unless said:
   - the pages, through Django's test client: the 数据驾驶舱 served from its snapshot
     (`/reports/dashboard/`), the root's compliance summary (`/compliance/orgs/<root>/`, its
     kept copy from 20,000 members, else judged live), the member list (`/members/`), and a branch's pages as its
     secretary (its compliance page, its member table `/compliance/orgs/<b>/members/`, its member
     list, and one member's 培训档案 `/compliance/members/<m>/`); then the process's resident
     memory (VmRSS, and the peak VmHWM) after serving them;
   - the live paths, mean milliseconds per request: a member's first QR sign-in
     (`POST /api/v1/events/<e>/signin`) and a repeated scan; a test's answer save
     (`PUT /api/v1/exams/attempts/<a>/answers/<q>`); and a bare view through the same handler
     and middleware (the floor of these three);
   - floors on the same data in the same run: the per-member totals (total, concentrated,
     online) of the year as one raw SQL `GROUP BY member_id` over the ledger, and the same
     `GROUP BY` in an in-memory DuckDB table of the same rows (exported through CSV: DuckDB's
     postgres scanner is an extension that needs a download; only the GROUP BY is timed).
4. **Print** the curve: one row per figure, one column per size, each with its ratio to the
   DuckDB floor of that size (aggregates) or the bare view (live paths), and the verdicts of the
   1,000,000-member targets: the summary and dashboard pages ≤ 1 s and within 2× DuckDB, a branch's pages
   within 1.5× of their time at the smallest size, memory ≤ 300 MB.

Databases are dropped at the end unless --keep, which also reuses them on the next run (a
1,000,000-member build takes tens of minutes on a 2-core machine). With --migrate-kept a kept
database first gets this checkout's migrations, timed: how the curve before and after a schema
change (the ledger's partitioning, hours 0010) was measured on the same data.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
from _floors import ledger_floors  # noqa: E402 (bench/ is first on sys.path)
from _timing import PG_SERVER, best_of, once, pg_admin, pg_exists  # noqa: E402 (bench/ is first on sys.path)

TENANT_CODE = "BENCHS"
BRANCH_SIZE = 20
LIVE_MEMBERS = 40  # members who sign in and save answers, in the biggest branch
TARGET_S = 1.0
TARGET_DUCK_RATIO = 2.0
TARGET_BRANCH_RATIO = 1.5
TARGET_RSS_MB = 300
RESULT = "RESULT "
WORKER_COMPLIANCE = "worker: root compliance judged (and kept)"
WORKER_DASHBOARD = "worker: dashboard computed and kept (every tile)"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--entries-per-member", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="keep the databases and reuse them")
    p.add_argument(
        "--migrate-kept",
        action="store_true",
        help="before measuring a kept database, apply this checkout's migrations to it (timed)",
    )
    p.add_argument("--build", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    p.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    p.add_argument("--refresh", type=int, help=argparse.SUPPRESS)
    p.add_argument("--refresh-compliance", type=int, help=argparse.SUPPRESS)
    p.add_argument(
        "--skip-engine",
        action="store_true",
        help="leave out what runs the compliance engine over the whole tenant (the root's summary "
        "page and selector, the dashboard's computation): at a million members each run takes "
        "many minutes; the rest is measured as usual",
    )
    return p.parse_args()


def db_name(size: int) -> str:
    return f"peixun_bench_scale_{size}"


def setup_django(size: int, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{db_name(size)}"
    # Before Django reads its settings: a throwaway var dir, never var/.
    os.environ["PEIXUN_VAR_DIR"] = str(workdir)
    os.environ["PEIXUN_ALLOWED_HOSTS"] = "testserver"
    os.environ["PEIXUN_AXES"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "_signin_settings"  # peixun's, plus the bare view
    os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")
    import django

    django.setup()


# -- build ---------------------------------------------------------------------------------------


def build(size: int, per_member: int) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from dashboard import activities  # bench/dashboard.py: the other tiles' rows, in bulk
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from exam_burst import question_data  # the same generated questions as the exam burst

    from peixun.accounts.models import ApiToken, Grant, User, hash_token
    from peixun.demo.generator import TenantSize, generate_tenant
    from peixun.demo.hours import generate_hours
    from peixun.events.models import Event
    from peixun.exams import services as exam_services
    from peixun.exams.models import Candidate, Exam, Question
    from peixun.members.models import Member
    from peixun.orglife.models import Meeting
    from peixun.orgs.models import Organization

    today = timezone.localdate()
    year = today.year
    loads: dict[str, float] = {}
    loads["migrate"], _ = once(lambda: call_command("migrate", verbosity=0))
    shape = TenantSize(members=size, branches=max(1, size // BRANCH_SIZE))
    loads["tenant"], tenant = once(
        lambda: generate_tenant(code=TENANT_CODE, name="基准省直机关工委", size=shape)
    )
    root = tenant.root
    loads["ledger + rollup + rules"], counts = once(
        lambda: generate_hours(root, entries_per_member=per_member)
    )
    loads["activities"], made = once(lambda: activities(root, year, today))
    with connection.cursor() as c:
        loads["analyze"], _ = once(lambda: c.execute("ANALYZE"))

    admin = User.objects.create_user(username="bench_scale_admin", password=None)
    Grant.objects.create(user=admin, org=root, role=Grant.Role.ORG_ADMIN)
    biggest = (
        Member.objects.filter(org__path__startswith=root.path, org__kind=Organization.Kind.BRANCH)
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by("-n", "org_id")
        .first()
    )
    assert biggest is not None
    branch = Organization.objects.get(pk=biggest["org_id"])
    secretary = User.objects.create_user(username="bench_scale_secretary", password=None)
    Grant.objects.create(user=secretary, org=branch, role=Grant.Role.SECRETARY)

    # The live paths: the branch's Party members with users and tokens, an open meeting, a test.
    people = list(
        # Those a branch meeting expects (orglife's meeting_expected_member_ids).
        Member.objects.filter(
            org=branch, status__in=("full", "probationary"), exempt_reason="", joined_on__lte=today
        ).order_by("pk")[:LIVE_MEMBERS]
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench-s{m.pk}", member=m, password=unusable) for m in people]
    )
    bearers = [ApiToken.new_raw() for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u, key_hash=hash_token(raw), expires_at=timezone.now() + dt.timedelta(days=30)
            )
            for u, raw in zip(users, bearers, strict=True)
        ]
    )
    now = timezone.now()
    event = Event.objects.create(
        category=Event.Category.MEETING,
        org=branch,
        title="基准：主题党日",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(days=30),
        place="党员活动室",
        hours=Decimal(1),
        created_by=secretary,
    )
    Meeting.objects.create(event=event, kind="theme_day", host="书记")
    questions = [
        Question(
            org=root,
            created_by=admin,
            **exam_services.clean_question_fields(question_data("judge", n)),
        )
        for n in range(10)
    ]
    Question.objects.bulk_create(questions)
    paper = exam_services.paper_create(
        actor=admin,
        org=root,
        title="基准：应知应会随机组卷",
        mode="rules",
        rules=[{"topic": "", "kind": "judge", "difficulty": 0, "count": 5}],
    )
    exam = exam_services.exam_create(
        actor=admin,
        org=root,
        data={
            "title": "基准：应知应会测试",
            "kind": "quarterly",
            "paper": paper,
            "opens_at": now - dt.timedelta(minutes=1),
            "closes_at": now + dt.timedelta(days=30),
            "time_limit_minutes": 600,
            "attempts_allowed": 1,
            "pass_percent": 60,
        },
    )
    Candidate.objects.bulk_create([Candidate(exam=exam, member=m, org_id=m.org_id) for m in people])
    Exam.objects.filter(pk=exam.pk).update(state=Exam.State.PUBLISHED, published_at=now)
    return {
        "size": size,
        "members": tenant.counts["members"],
        "branches": shape.branches,
        "entries": counts["entries"],
        **{f"rows_{k}": v for k, v in made.items()},
        "loads": loads,
        "branch": branch.pk,
        "event": event.pk,
        "exam": exam.pk,
        "bearers": bearers,
    }


# -- measure -------------------------------------------------------------------------------------


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def refresh_compliance() -> dict[str, Any]:
    """What the worker's `hours.compliance_refresh` job does for the root, in a process of its
    own: judge every member below it (`org_compliance`) and keep the summary the page then reads
    (the root is kept from `COMPLIANCE_KEEP_MEMBERS` members; a smaller tenant's page judges
    live). Its time and peak memory are the worker's, not the web process's."""
    from django.utils import timezone

    from peixun.hours.selectors import default_as_of
    from peixun.hours.services import compliance_judge_and_keep
    from peixun.hours.services.warnings import SystemActor
    from peixun.orgs.models import Organization

    year = timezone.localdate().year
    root = Organization.objects.get(code=TENANT_CODE)
    secs, (_report, kept) = once(
        lambda: compliance_judge_and_keep(
            actor=SystemActor(), org=root, year=year, as_of=default_as_of(year)
        )
    )
    return {"seconds": secs, "hwm_mb": memory_mb()[1], "kept": kept}


def refresh() -> dict[str, Any]:
    """What the worker's `reports.dashboard_refresh` job does for the root, in a process of its
    own: compute every tile and keep the snapshot the page then reads. Its time and peak memory
    are the worker's, not the web process's."""
    from django.utils import timezone

    from peixun.accounts.models import User
    from peixun.orgs.models import Organization
    from peixun.reports.selectors.dashboard import as_of_for
    from peixun.reports.services import dashboard_read

    year = timezone.localdate().year
    root = Organization.objects.get(code=TENANT_CODE)
    admin = User.objects.get(username="bench_scale_admin")
    secs, _ = once(
        lambda: dashboard_read(
            actor=admin, org=root, year=year, as_of=as_of_for(year, ""), fresh=True
        )
    )
    return {"seconds": secs, "hwm_mb": memory_mb()[1]}


def measure(
    size: int, fixture: dict[str, Any], repeats: int, skip_engine: bool = False
) -> dict[str, Any]:
    from _signin_urls import FLOOR_PATH
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from peixun.accounts.models import User
    from peixun.events.logic import signin_token
    from peixun.events.models import Attendance, Event
    from peixun.events.selectors import event_settings_for
    from peixun.exams.models import Attempt
    from peixun.members.models import Member
    from peixun.orgs.models import Organization

    today = timezone.localdate()
    year = today.year
    root = Organization.objects.get(code=TENANT_CODE)
    branch = Organization.objects.get(pk=fixture["branch"])
    admin = User.objects.get(username="bench_scale_admin")
    secretary = User.objects.get(username="bench_scale_secretary")
    member = Member.objects.filter(org=branch).order_by("pk").first()
    assert member is not None
    figures: dict[str, float] = {}
    # A rerun on a kept database: the live paths start again from no sign-in and no attempt.
    Attendance.objects.filter(event_id=fixture["event"]).delete()
    Attempt.objects.filter(exam_id=fixture["exam"]).delete()

    def page(client: Client, path: str) -> float:
        def get() -> int:
            answer = client.get(path, HTTP_X_FORWARDED_PROTO="https")
            if answer.status_code != 200:
                sys.exit(f"{path}: {answer.status_code} {answer.content[:300]!r}")
            return len(answer.content)

        secs, _ = best_of(get, repeats)
        return secs

    as_admin, as_secretary = Client(), Client()
    as_admin.force_login(admin)
    as_secretary.force_login(secretary)
    if not skip_engine:
        # Kept by the refresh child (the worker's job) just before this process started.
        figures["page: dashboard (from its snapshot)"] = page(
            as_admin, f"{reverse('reports:dashboard')}?org={root.pk}"
        )
        # Kept by the compliance refresh child above COMPLIANCE_KEEP_MEMBERS; judged live below.
        figures["page: root compliance summary"] = page(
            as_admin, reverse("compliance:org", args=[root.pk])
        )
    figures["page: member list (root, first page)"] = page(as_admin, reverse("members:list"))
    figures["branch page: compliance"] = page(
        as_secretary, reverse("compliance:org", args=[branch.pk])
    )
    figures["branch page: member table"] = page(
        as_secretary, reverse("compliance:drilldown", args=[branch.pk])
    )
    figures["branch page: member list"] = page(
        as_secretary, f"{reverse('members:list')}?org={branch.pk}"
    )
    figures["branch page: a member's 培训档案"] = page(
        as_secretary, reverse("compliance:member", args=[member.pk])
    )
    rss, hwm = memory_mb()

    # The live paths, mean ms per request (each member once: a first sign-in is first only once).
    event = Event.objects.get(pk=fixture["event"])
    rules = event_settings_for(root)
    bearers: list[str] = fixture["bearers"]
    api = Client(HTTP_X_FORWARDED_PROTO="https")

    def post(path: str, body: dict[str, Any], bearer: str | None, method: str = "post") -> Any:
        answer = getattr(api, method)(
            path,
            data=json.dumps(body),
            content_type="application/json",
            **({"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer else {}),
        )
        if answer.status_code != 200:
            sys.exit(f"{path}: {answer.status_code} {answer.content[:300]!r}")
        return answer.json()

    def mean_ms(calls: list[Any]) -> float:
        started = time.perf_counter()
        for call in calls:
            call()
        return (time.perf_counter() - started) / len(calls) * 1000

    for _ in range(20):
        post("/" + FLOOR_PATH, {"token": "x"}, None)
    signin = f"/api/v1/events/{event.pk}/signin"
    figures["live: bare view (floor), ms"] = mean_ms(
        [lambda: post("/" + FLOOR_PATH, {"token": "x"}, None)] * (2 * len(bearers))
    )
    figures["live: first QR sign-in, ms"] = mean_ms(
        [(lambda b=b: post(signin, {"token": signin_token(event, rules)}, b)) for b in bearers]
    )
    figures["live: repeated scan, ms"] = mean_ms(
        [(lambda b=b: post(signin, {"token": signin_token(event, rules)}, b)) for b in bearers]
    )
    attempts = [post(f"/api/v1/exams/{fixture['exam']}/attempts", {}, b) for b in bearers]
    saves = [
        (lambda b=b, a=a, item=item, n=n: post(
            f"/api/v1/exams/attempts/{a['id']}/answers/{item['q']}",
            {"response": n % 2 == 0, "seq": 1},
            b,
            method="put",
        ))
        for n, (b, a) in enumerate(zip(bearers, attempts, strict=True))
        for item in a["items"]
    ]  # fmt: skip
    figures["live: exam answer save, ms"] = mean_ms(saves)

    # Floors on the same rows.
    floors = ledger_floors(year, best_of, repeats)
    figures["floor: raw SQL GROUP BY"] = floors.raw_seconds
    figures["floor: DuckDB GROUP BY"] = floors.duck_seconds
    return {
        "figures": figures,
        "rss_mb": rss,
        "hwm_mb": hwm,
        "branch_members": Member.objects.filter(org=branch).count(),
    }


# -- the curve -----------------------------------------------------------------------------------


def child(flag: str, size: int, args: argparse.Namespace, fixture: Path) -> dict[str, Any]:
    argv = [sys.executable, __file__, flag, str(size)]
    argv += ["--entries-per-member", str(args.entries_per_member), "--repeats", str(args.repeats)]
    argv += ["--skip-engine"] if args.skip_engine else []
    env = {**os.environ, "BENCH_SCALE_FIXTURE": str(fixture)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own script
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            return dict(json.loads(line[len(RESULT) :]))
    sys.exit(
        f"{flag} {size} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-5000:]}"
    )


def print_curve(sizes: list[int], builds: dict[int, dict[str, Any]], runs: dict[int, Any]) -> int:
    print("\n== the curve (seconds unless marked ms; × is the ratio to the same size's floor)")
    header = f"   {'figure':<44}" + "".join(f"{f'{s:,} members':>26}" for s in sizes)
    print(header)
    print(
        f"   {'ledger lines this year':<44}"
        + "".join(f"{builds[s]['entries']:>26,}" for s in sizes)
    )
    names = list(runs[sizes[0]]["figures"])
    for name in names:
        cells = []
        for s in sizes:
            f = runs[s]["figures"]
            value = f[name]
            if name.startswith("live:"):
                floor = f["live: bare view (floor), ms"]
                cell = f"{value:9.2f} ({value / floor:5.1f}×)"
            elif name.startswith("floor:"):
                cell = f"{value:9.3f}         "
            else:
                floor = f["floor: DuckDB GROUP BY"]
                cell = f"{value:9.3f} ({value / floor:5.1f}×)"
            cells.append(f"{cell:>26}")
        print(f"   {name:<44}" + "".join(cells))
    memory = [f"{runs[s]['rss_mb']:.0f} / {runs[s]['hwm_mb']:.0f}" for s in sizes]
    worker = [f"{runs[s]['worker_hwm_mb']:.0f}" for s in sizes]
    judge = [f"{runs[s]['judge_hwm_mb']:.0f}" for s in sizes]
    kept = ["kept copy" if runs[s]["kept"] else "judged live" for s in sizes]
    print(f"   {'root compliance page read from':<44}" + "".join(f"{k:>26}" for k in kept))
    print(f"   {'worker judging the root: peak MB':<44}" + "".join(f"{m:>26}" for m in judge))
    print(
        f"   {'memory after the pages: VmRSS / peak MB':<44}" + "".join(f"{m:>26}" for m in memory)
    )
    print(
        f"   {'worker computing the dashboard: peak MB':<44}" + "".join(f"{m:>26}" for m in worker)
    )
    print(
        f"   {'load (build), s':<44}"
        + "".join(f"{sum(builds[s]['loads'].values()):>26.0f}" for s in sizes)
    )

    # The targets, read at the largest size against the smallest.
    big, small = runs[sizes[-1]]["figures"], runs[sizes[0]]["figures"]
    duck = big["floor: DuckDB GROUP BY"]
    misses = 0
    print(f"\n== targets at {sizes[-1]:,} members")
    checks: list[tuple[str, bool]] = []
    # What a reader waits for. The worker's figures (above) are how old a kept copy can get.
    for name in ("page: root compliance summary", "page: dashboard (from its snapshot)"):
        if name not in big:
            continue  # --skip-engine
        value = big[name]
        ok = value <= TARGET_S and value <= TARGET_DUCK_RATIO * duck
        checks.append(
            (f"{name}: {value:.3f} s ≤ {TARGET_S} s and ≤ {TARGET_DUCK_RATIO}× DuckDB "
             f"({TARGET_DUCK_RATIO * duck:.3f} s)", ok)
        )  # fmt: skip
    for name in [n for n in big if n.startswith("branch page:")]:
        ok = big[name] <= TARGET_BRANCH_RATIO * small[name]
        checks.append(
            (f"{name}: {big[name]:.3f} s against {small[name]:.3f} s at {sizes[0]:,} "
             f"(≤ {TARGET_BRANCH_RATIO}×)", ok)
        )  # fmt: skip
    rss = runs[sizes[-1]]["rss_mb"]
    checks.append(
        (f"web process after the pages: {rss:.0f} MB ≤ {TARGET_RSS_MB} MB", rss <= TARGET_RSS_MB)
    )
    for text, ok in checks:
        misses += not ok
        print(f"   {'PASS' if ok else 'MISS'}  {text}")
    return misses


def main() -> int:
    args = parse()
    if args.build or args.measure or args.refresh or args.refresh_compliance:
        size = args.build or args.measure or args.refresh or args.refresh_compliance
        workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-scale-var-"))
        setup_django(size, workdir)
        fixture = Path(os.environ["BENCH_SCALE_FIXTURE"])
        if args.build:
            out = build(size, args.entries_per_member)
            fixture.write_text(json.dumps(out))
        elif args.refresh:
            out = refresh()
        elif args.refresh_compliance:
            out = refresh_compliance()
        else:
            out = measure(size, json.loads(fixture.read_text()), args.repeats, args.skip_engine)
        print(RESULT + json.dumps(out), flush=True)
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    builds: dict[int, dict[str, Any]] = {}
    runs: dict[int, dict[str, Any]] = {}
    for size in sizes:
        fixture = Path(tempfile.gettempdir()) / f"peixun-bench-scale-{size}.json"
        if not (args.keep and pg_exists(db_name(size)) and fixture.exists()):
            pg_admin(f'DROP DATABASE IF EXISTS "{db_name(size)}"')
            pg_admin(f'CREATE DATABASE "{db_name(size)}"')
            print(f"== building {size:,} members …", flush=True)
            secs, builds[size] = once(lambda: child("--build", size, args, fixture))  # noqa: B023
            print(
                f"   built in {secs:.0f} s: {builds[size]['members']:,} members, "
                f"{builds[size]['entries']:,} ledger lines; "
                + ", ".join(f"{k} {v:.0f} s" for k, v in builds[size]["loads"].items()),
                flush=True,
            )
        else:
            builds[size] = json.loads(fixture.read_text())
            if args.migrate_kept:
                env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{db_name(size)}"}
                env["PEIXUN_VAR_DIR"] = tempfile.mkdtemp(prefix="peixun-bench-scale-var-")
                secs, done = once(
                    lambda: subprocess.run(  # noqa: S603 - our own manage.py
                        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "1"],
                        env=env,  # noqa: B023
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                )
                applied = [ln.strip() for ln in done.stdout.splitlines() if "Applying" in ln]
                if done.returncode:
                    sys.exit(f"migrate {size} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
                print(
                    f"   migrate the kept database: {secs:.1f} s ({'; '.join(applied) or 'nothing to apply'})",
                    flush=True,
                )
        print(
            f"== measuring {size:,} members (load average {os.getloadavg()[0]:.1f}) …", flush=True
        )
        judged = {} if args.skip_engine else child("--refresh-compliance", size, args, fixture)
        worker = {} if args.skip_engine else child("--refresh", size, args, fixture)
        runs[size] = child("--measure", size, args, fixture)
        if worker:
            runs[size]["figures"][WORKER_COMPLIANCE] = judged["seconds"]
            runs[size]["figures"][WORKER_DASHBOARD] = worker["seconds"]
        runs[size]["worker_hwm_mb"] = worker.get("hwm_mb", 0.0)
        runs[size]["judge_hwm_mb"] = judged.get("hwm_mb", 0.0)
        runs[size]["kept"] = judged.get("kept", False)
        print(json.dumps(runs[size]["figures"], ensure_ascii=False, indent=1), flush=True)
        if not args.keep:
            pg_admin(f'DROP DATABASE IF EXISTS "{db_name(size)}"')
            fixture.unlink(missing_ok=True)
    misses = print_curve(sizes, builds, runs)
    print(f"\n{misses} target(s) missed" if misses else "\nevery target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
