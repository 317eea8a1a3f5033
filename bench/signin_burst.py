"""Benchmark: a QR sign-in burst of 1,000 members into one session through gunicorn on loopback.

    .venv/bin/python bench/signin_burst.py [--db sqlite|postgres|both] [--members 1000]
        [--concurrency 50] [--workers N] [--threads 1] [--conn-max-age S] [--client raw|httpx]

Builds a fresh database (SQLite under /tmp, or PostgreSQL database `peixun_bench_signin` at
127.0.0.1:5432, created and dropped here) with a generated tenant of 1,000 members, each with a
User and a personal API token, and one published class (named dispatch, all 1,000 accepted) whose
two sessions are open for sign-in now. Then starts gunicorn (`peixun.wsgi`, sync workers, by
default 2 × cores + 1; DEBUG off, a throwaway secret key, ALLOWED_HOSTS 127.0.0.1,
`X-Forwarded-Proto: https` sent as nginx would) on a free loopback port and drives it with a
bounded asyncio client (`--concurrency` requests in flight), every request carrying the member's
bearer token and the QR token current at the moment it is sent:

- floor: a bare Django view (`bench/_signin_urls.py`: same gunicorn, same WSGI handler and
  middleware, no authentication, no database) POSTed the same JSON body as many times as the
  sign-in phase beside it, and at least 3,000 times;
- burst: each member signs in once (shuffled) → all 200 created, exactly 1,000 attendance rows;
- storm: each member scans three more times (3,000 requests, shuffled) → all 200 with created
  false, still exactly 1,000 rows;
- race: on the second session, each member's three scans are sent together, so the first
  sign-ins race each other → all 200, exactly 1,000 created, exactly 1,000 rows.

After each phase: one "attendance.signin" audit event per row. Reports throughput, p50/p95/max
latency, errors (anything but 200) and the CPU time gunicorn and the client spent per phase,
beside the floor, and a first sign-in's throughput as a share of the floor's (issue 18's targets:
30 % on SQLite, 20 % on PostgreSQL); exits non-zero on any error or a wrong row, audit or `created` count. Setup data
is written with the ORM in bulk (seeding, not user action); the requests go through the services.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _burst import (  # bench/ is first on sys.path; _burst puts the project root after it
    FLOOR_PATH,
    PROXY_HEADERS,
    add_server_arguments,
    drop_database,
    free_port,
    log_tail,
    percentile,
    raw_request,
    run_each_database,
    seed_members,
    server_cpu,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)
from _burst import prepare_environment as _prepare_environment

SQLITE_PATH = Path("/tmp/peixun-bench-signin.sqlite3")
PG_NAME = "peixun_bench_signin"
TENANT_CODE = "BENCHS"
STORM_SCANS = 3
FLOOR_REQUESTS = 3000
# Issue 18, item 5: a first sign-in's throughput as a share of the bare view's.
TARGET_SHARE = {"sqlite": 0.30, "postgres": 0.20}


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--members", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    add_server_arguments(p)
    p.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: HTTP/1.1 on asyncio streams (default, 0.2 ms CPU a request); httpx.AsyncClient",
    )
    return p.parse_args()


def prepare_environment(db: str, workdir: Path) -> None:
    """Before Django reads its settings; gunicorn inherits the same environment."""
    _prepare_environment(db, workdir, SQLITE_PATH, PG_NAME)


# -- the data ------------------------------------------------------------------------------------


@dataclass
class Fixture:
    events: list[Any]  # the two sessions' events
    rules: Any  # EventSettings of the tenant
    bearers: list[str]  # one raw API token per member
    seconds: float = 0.0


def build(members: int) -> Fixture:
    """A tenant of `members` members, each with a user and an API token, all accepted into one
    published class whose two sessions are open for sign-in now."""
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from peixun.events.models import Event
    from peixun.events.services import event_settings_for
    from peixun.hours.models import Topic
    from peixun.training.models import ClassKind, Enrolment, Session, SessionType, TrainingClass

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeded = seed_members(
        code=TENANT_CODE, name="基准县直机关工委", members=members, branches=members // 20
    )
    root, organiser, people, bearers = seeded.root, seeded.organiser, seeded.people, seeded.bearers

    now = timezone.now()
    today = timezone.localdate()
    klass = TrainingClass.objects.create(
        org=root,
        title="基准：签到压力测试专题培训班",
        kind=ClassKind.SPECIAL,
        starts_on=today,
        ends_on=today,
        venue="县委党校报告厅",
        topic=Topic.INNOVATION_THEORY,
        audience_org=root,
        capacity=members,
        state=TrainingClass.State.PUBLISHED,
        published_at=now,
        created_by=organiser,
    )
    # Opening ceremony, then a lecture whose sign-in opens while the ceremony runs: both open now,
    # both starting within the "late after" minutes, so every sign-in is "present".
    plan = [
        ("开班式", dt.timedelta(minutes=5), dt.timedelta(minutes=15), "0.5", SessionType.THEME_DAY),
        (
            "专题讲座",
            dt.timedelta(minutes=15),
            dt.timedelta(hours=2, minutes=15),
            "2",
            SessionType.LECTURE,
        ),
    ]
    events = []
    for title, start, end, hours, kind in plan:
        event = Event.objects.create(
            category=Event.Category.SESSION,
            org=root,
            title=f"{klass.title}：{title}",
            starts_at=now + start,
            ends_at=now + end,
            place=klass.venue,
            hours=Decimal(hours),
            topic=Topic.INNOVATION_THEORY,
            created_by=organiser,
        )
        Session.objects.create(training_class=klass, event=event, type=kind, teacher="县委党校")
        events.append(event)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                training_class=klass,
                member=m,
                route=Enrolment.Route.NAMED,
                state=Enrolment.State.ACCEPTED,
                nominated_by=organiser,
                decided_by=organiser,
                decided_at=now,
            )
            for m in people
        ]
    )
    rules = event_settings_for(root)
    return Fixture(events, rules, bearers, time.perf_counter() - started)


def attendance_rows(event: Any) -> int:
    from peixun.events.models import Attendance

    return Attendance.objects.filter(event=event).count()


def check_audit(phase: Phase, events: list[Any]) -> None:
    """One "attendance.signin" audit event per attendance row: a repeated or racing scan writes
    nothing, not even a second audit row."""
    from peixun.core.models import AuditEvent
    from peixun.events.models import Attendance

    rows = Attendance.objects.filter(event__in=events).count()
    audits = AuditEvent.objects.filter(verb="attendance.signin").count()
    if audits != rows:
        phase.problems.append(f"{audits:,} sign-in audit events for {rows:,} rows")


# -- the client ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    path: str
    token: Callable[[], str]  # the QR token current when the request is sent
    bearer: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", **PROXY_HEADERS}
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        return headers

    def body(self) -> bytes:
        return json.dumps({"token": self.token()}).encode()


@dataclass
class Phase:
    label: str
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    created: Counter[bool] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    rows: int | None = None
    client_cpu: float = 0.0  # CPU seconds of the load client during the phase
    server_cpu: float = 0.0  # CPU seconds of gunicorn's processes during the phase
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.requests - self.statuses[200]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)

    def record(self, job: Job, status: int, body: bytes | str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1
        if status == 200:
            if job.bearer:
                self.created[bool(json.loads(body).get("created"))] += 1
            return
        text = body if isinstance(body, str) else body.decode(errors="replace")
        sample = f"{status}: {' '.join(text.split())[:200]}"
        if sample not in self.samples and len(self.samples) < 3:
            self.samples.append(sample)


async def raw_post(port: int, job: Job) -> tuple[int, bytes]:
    """One POST on a fresh connection, read to EOF (gunicorn's sync workers close it anyway)."""
    return await raw_request(port, "POST", job.path, job.headers(), job.body())


async def drive(port: int, label: str, jobs: list[Job], concurrency: int, client: str) -> Phase:
    """Send every job, at most `concurrency` in flight; latency counts from the send."""
    import httpx

    phase = Phase(label=label, requests=len(jobs))
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as session:

        async def one(job: Job) -> None:
            async with gate:
                sent = time.perf_counter()
                try:
                    if client == "httpx":
                        r = await session.post(job.path, content=job.body(), headers=job.headers())
                        status, body = r.status_code, r.content
                    else:
                        status, body = await raw_post(port, job)
                except (OSError, ValueError, httpx.HTTPError) as exc:
                    status, body = 0, f"{type(exc).__name__}: {exc}".encode()
                elapsed = time.perf_counter() - sent
            phase.record(job, status, body, elapsed)

        started = time.perf_counter()
        await asyncio.gather(*(one(job) for job in jobs))
        phase.seconds = time.perf_counter() - started
    return phase


def run(port: int, label: str, jobs: list[Job], args: argparse.Namespace, master: int) -> Phase:
    cpu, server = time.process_time(), server_cpu(master)
    phase = asyncio.run(drive(port, label, jobs, args.concurrency, args.client))
    phase.client_cpu = time.process_time() - cpu
    phase.server_cpu = server_cpu(master) - server
    return phase


# -- one database --------------------------------------------------------------------------------


def run_one(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-signin-"))
    prepare_environment(args.db, workdir)
    import django

    django.setup()
    import gunicorn
    from django.db import connection

    from peixun.events.logic import signin_token

    t_all = time.perf_counter()
    print(
        f"== {args.db}: {args.members:,} members, gunicorn {gunicorn.__version__} "
        f"({args.workers} {'gthread' if args.threads > 1 else 'sync'} workers × {args.threads} "
        f"thread(s), {os.cpu_count()} cores), "
        f"client: asyncio ({args.client}), {args.concurrency} in flight",
        flush=True,
    )
    from django.conf import settings

    served = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    if args.conn_max_age is not None:
        served = args.conn_max_age
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"   CONN_MAX_AGE {served} s; machine load average before the run: {load}")
    fx = build(args.members)
    print(f"   setup (migrate, tenant, users, tokens, class, enrolments): {fx.seconds:.1f} s")
    first, second = fx.events
    connection.close()  # gunicorn's workers open their own

    def token_of(event: Any) -> Callable[[], str]:
        return lambda: signin_token(event, fx.rules)

    def signin(event: Any) -> str:
        return f"/api/v1/events/{event.pk}/signin"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / "gunicorn.log"
    proc = start_gunicorn(args, port, log)
    phases: list[tuple[Phase, Phase]] = []  # (phase, its floor)
    try:
        wait_ready(base, proc, log, timeout=240)  # a busy machine starts 5 workers slowly
        n = len(fx.bearers)

        def go(label: str, jobs: list[Job]) -> Phase:
            return run(port, label, jobs, args, proc.pid)

        # Warm-up: every worker imports the URLconf and the API and opens its database
        # connection; the malformed token signs nobody in.
        warm = [Job(FLOOR_PATH, token_of(first)) for _ in range(args.workers * 4)]
        warm += [Job(signin(first), lambda: "0.warmup", b) for b in fx.bearers[: args.workers * 4]]
        go("warm-up", warm)

        # At least FLOOR_REQUESTS: at 2,500 req/s a floor of 1,000 lasts 0.4 s, and one worker's
        # stall moved it by a fifth between runs.
        floor_1 = go("floor", [Job(FLOOR_PATH, token_of(first))] * max(n, FLOOR_REQUESTS))
        order = list(range(n))
        random.shuffle(order)
        burst = go(
            "burst: every member signs in once",
            [Job(signin(first), token_of(first), fx.bearers[i]) for i in order],
        )
        burst.rows = attendance_rows(first)
        check_audit(burst, [first])
        if burst.created[True] != n:
            burst.problems.append(f"created {burst.created[True]:,}, expected {n:,}")
        phases.append((burst, floor_1))

        storm_jobs = [
            Job(signin(first), token_of(first), fx.bearers[i])
            for i in range(n)
            for _ in range(STORM_SCANS)
        ]
        random.shuffle(storm_jobs)
        floor_3 = go("floor", [Job(FLOOR_PATH, token_of(first))] * len(storm_jobs))
        storm = go(f"storm: {STORM_SCANS} more scans each, shuffled", storm_jobs)
        storm.rows = attendance_rows(first)
        check_audit(storm, [first])
        if storm.created[True]:
            storm.problems.append(f"created {storm.created[True]:,}, expected 0")
        phases.append((storm, floor_3))

        # Each member's scans side by side: they are in flight together, racing to create.
        race_jobs = [
            Job(signin(second), token_of(second), fx.bearers[i])
            for i in order
            for _ in range(STORM_SCANS)
        ]
        race = go(f"race: {STORM_SCANS} scans at once each (2nd session)", race_jobs)
        race.rows = attendance_rows(second)
        check_audit(race, [first, second])
        if race.created[True] != n:
            race.problems.append(f"created {race.created[True]:,}, expected {n:,}")
        phases.append((race, floor_3))
    finally:
        stop_gunicorn(proc)

    status = report(phases, n)
    burst, floor = phases[0]
    if floor.throughput:
        share = burst.throughput / floor.throughput
        target = TARGET_SHARE[args.db]
        print(
            f"   first sign-in: {share:.1%} of the floor's throughput "
            f"(target ≥ {target:.0%}: {'met' if share >= target else 'not met'})"
        )
    if status and log.exists():
        print("   gunicorn log, distinct lines (tail):\n      " + log_tail(log))
    print(f"   whole run: {time.perf_counter() - t_all:.1f} s\n", flush=True)

    connection.close()
    drop_database(args.db, SQLITE_PATH, PG_NAME)
    shutil.rmtree(workdir, ignore_errors=True)
    return status


def report(phases: list[tuple[Phase, Phase]], members: int) -> int:
    print(
        f"\n   {'phase':<40} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'max ms':>7} {'server':>7} {'client':>7} {'rows':>6}  verdict"
    )
    print(f"   {'':<40} {'':>8} {'':>6} {'':>6} {'':>7} {'':>7} {'':>7} {'CPU ms':>7} {'CPU s':>7}")
    status = 0
    shown: set[int] = set()
    for phase, floor in phases:
        for row in ([] if id(floor) in shown else [floor]) + [phase]:
            if row is floor:
                status |= bool(row.errors)
                verdict = "floor" + (f": {row.errors:,} errors" if row.errors else "")
            else:
                if row.rows != members:
                    row.problems.append(f"{row.rows:,} attendance rows, expected {members:,}")
                if row.errors:
                    row.problems.append(f"{row.errors:,} errors {dict(row.statuses)}")
                status |= bool(row.problems)
                verdict = "OK" if not row.problems else "FAIL: " + "; ".join(row.problems)
                ratio = floor.throughput / row.throughput if row.throughput else 0.0
                verdict += f" ({ratio:.1f}× the floor)"
            rows = "" if row.rows is None else f"{row.rows:,}"
            per_request = row.server_cpu / row.requests * 1000 if row.requests else 0.0
            print(
                f"   {row.label:<40} {row.requests:>8,} {row.errors:>6,} {row.throughput:>6.0f} "
                f"{row.percentile(50):>7.1f} {row.percentile(95):>7.1f} "
                f"{max(row.latencies, default=0) * 1000:>7.1f} {per_request:>7.2f} "
                f"{row.client_cpu:>7.1f} {rows:>6}  {verdict}"
            )
            for sample in row.samples:
                print(f"      e.g. {sample}")
        shown.add(id(floor))
    print(
        "   server CPU ms = gunicorn's CPU time (master + workers) per request; client CPU s = "
        "the load client's CPU time in the phase (it shares the cores)"
    )
    return status


def main() -> int:
    args = parse()
    if args.db != "both":
        return run_one(args)
    options = ("members", "concurrency", "workers", "threads", "client", "conn_max_age")
    return run_each_database(__file__, args, options)


if __name__ == "__main__":
    sys.exit(main())
