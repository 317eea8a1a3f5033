"""Benchmark: 2,000 members watching a course video at once, each player reporting its progress
every 10 s, through gunicorn on loopback (issue 16, item 6a).

    .venv/bin/python bench/learning_watch.py [--db sqlite|postgres|both] [--members 2000]
        [--period 10] [--cycles 6] [--floor-cycles 3] [--video-seconds 3600]
        [--workers N] [--threads 1] [--conn-max-age S] [--seed 1] [--no-probe]

Real time, real cadence. The server judges each report against its own clock (a report may not
claim more played time than the wall clock since the last accepted one, plus 2 s), so the
players are not sped up: each reports every `--period` seconds (10, the player's own cadence)
for `--cycles` reports, and the 2,000 players start spread evenly over one period, so the server
sees a steady `members / period` reports a second (200/s) for `cycles × period` seconds.

Builds a fresh database (SQLite under /tmp, or PostgreSQL database `peixun_bench_watch` at
127.0.0.1:5432, created and dropped here) holding a generated tenant of `--members` members in
branches of about 50, each with a User and a personal API token (`_burst.seed_members`), and one
course of the root made and published through the services (`course_create`, `course_item_add`,
`course_publish`): one video of `--video-seconds`, complete when watched. gunicorn serves
`peixun.wsgi` with `bench/_signin_settings.py` (peixun's settings plus the floor view) and an
open-loop asyncio client (no cap on requests in flight: players do not wait for each other)
drives it, each request carrying the member's bearer token:

- floor: every player POSTs the report's JSON body to the bare floor view (same gunicorn,
  handler and middleware; no authentication, no database) at the same cadence and spread,
  `--floor-cycles` times: the same arrival rate as the watch;
- watch: each player `POST /api/v1/learning/items/{id}/play` at its offset in the first period,
  then every period after the play's answer `POST /api/v1/learning/items/{id}/progress` with
  the next consecutive interval [10k, 10k + 10), `elapsed` 10 and its position; every report must
  be accepted and answer the unique seconds so far.

Server CPU per report is taken over the steady window when every play has been answered and
only reports arrive (from one period after the first play until the last scheduled report of the
first player): gunicorn's CPU in that window over the reports sent in it. Then, from the
database: one ItemProgress per member holding exactly `cycles × period` unique seconds in one
interval [0, cycles × period), each play session's accepted seconds the same, no strike, no
completion (the video is longer), one `learning.play.start` audit event per member. Finally an
in-process probe counts the SQL queries of one report. Exits non-zero on any error, refusal or
mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _burst import (  # bench/ is first on sys.path; _burst puts the project root after it
    FLOOR_PATH,
    add_server_arguments,
    drop_database,
    free_port,
    log_tail,
    percentile,
    prepare_environment,
    run_each_database,
    seed_members,
    server_cpu,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)
from exam_burst import Calls, Client, Run, report  # the same client, records and table

SQLITE_PATH = Path("/tmp/peixun-bench-watch.sqlite3")
PG_NAME = "peixun_bench_watch"
TENANT_CODE = "BENCHW"
BRANCH_SIZE = 50
API = "/api/v1/learning"
# An EBML header and a little padding: passes the upload check; nothing here plays it.
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--members", type=int, default=2000, help="players watching at once")
    p.add_argument("--period", type=int, default=10, help="seconds between a player's reports")
    p.add_argument("--cycles", type=int, default=6, help="reports per player")
    p.add_argument("--floor-cycles", type=int, default=3, help="floor requests per player")
    p.add_argument("--video-seconds", type=int, default=3600, help="the video's length")
    add_server_arguments(p)
    p.add_argument("--seed", type=int, default=1, help="seed of the players' order")
    p.add_argument("--no-probe", action="store_true", help="skip the query-count probe")
    args = p.parse_args()
    if args.cycles < 2 or args.period < 1:
        p.error("--cycles must be at least 2 and --period at least 1")
    if args.cycles * args.period >= args.video_seconds:
        p.error("the video must be longer than the watch (cycles × period)")
    return args


# -- the data ------------------------------------------------------------------------------------


@dataclass
class Fixture:
    item_id: int
    course_id: int
    bearers: list[str]
    member_ids: list[int]
    seconds: float = 0.0


def build(members: int, video_seconds: int) -> Fixture:
    """The tenant, its members' users and tokens, and the published one-video course."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from peixun.learning.services import course_create, course_item_add, course_publish

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeded = seed_members(
        code=TENANT_CODE,
        name="基准县直机关工委",
        members=members,
        branches=max(1, members // BRANCH_SIZE),
    )
    course = course_create(
        actor=seeded.organiser,
        org=seeded.root,
        title="基准：学习贯彻党的二十届三中全会精神",
        topic="innovation_theory",
        move_on="watched",
    )
    item = course_item_add(
        actor=seeded.organiser,
        course=course,
        kind="video",
        title="第一讲",
        file=SimpleUploadedFile("lecture.webm", WEBM, content_type="video/webm"),
        duration_seconds=video_seconds,
    )
    course_publish(actor=seeded.organiser, course=course)
    return Fixture(
        item.pk,
        course.pk,
        seeded.bearers,
        [m.pk for m in seeded.people],
        time.perf_counter() - started,
    )


# -- the players ---------------------------------------------------------------------------------


@dataclass
class Player:
    index: int
    bearer: str
    token: str = ""
    accepted: int = 0  # reports accepted
    last_unique: int = 0  # unique seconds the last accepted report answered
    late: float = 0.0  # the most a report left after its time (client lag or a slow answer)


@dataclass
class Window:
    """The steady window: server CPU and the reports sent in it."""

    start: float
    end: float
    cpu: float = 0.0
    reports: int = 0

    def holds(self, t: float) -> bool:
        return self.start <= t < self.end


async def at(moment: float) -> float:
    """Sleep until `moment` (perf_counter), return how late we woke."""
    delay = moment - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    return max(0.0, time.perf_counter() - moment)


def report_body(token: str, k: int, period: int) -> dict[str, Any]:
    """The k-th report (1-based): the interval played since the (k-1)-th."""
    return {
        "token": token,
        "intervals": [[(k - 1) * period, k * period]],
        "elapsed": period,
        "position": k * period,
    }


async def floor_player(
    client: Client, run: Run, start: float, period: int, cycles: int, late: list[float]
) -> None:
    for k in range(cycles):
        late.append(await at(start + k * period))
        await client.call(run.calls["floor"], "POST", FLOOR_PATH, None, report_body("x", k, period))


async def watch_player(
    client: Client,
    run: Run,
    fx: Fixture,
    player: Player,
    start: float,
    period: int,
    cycles: int,
    window: Window,
) -> None:
    """Play at `start`, then report every `period` from the play's answer."""
    await at(start)
    _status, played = await client.call(
        run.calls["play"], "POST", f"{API}/items/{fx.item_id}/play", player.bearer
    )
    if played is None:
        return
    player.token = played["token"]
    if played["position"] != 0.0:
        run.problems.append(f"player {player.index} started at {played['position']}")
    began = time.perf_counter()
    for k in range(1, cycles + 1):
        player.late = max(player.late, await at(began + k * period))
        if window.holds(time.perf_counter()):
            window.reports += 1
        _status, result = await client.call(
            run.calls["report"],
            "POST",
            f"{API}/items/{fx.item_id}/progress",
            player.bearer,
            report_body(player.token, k, period),
        )
        if result is None:
            continue
        if not result["accepted"]:
            run.notes[f"refused: {result['reason']}"] += 1
            run.problems.append(f"player {player.index} report {k} refused: {result['reason']}")
            continue
        player.accepted += 1
        player.last_unique = result["unique_seconds"]
        if result["unique_seconds"] != k * period:
            run.problems.append(
                f"player {player.index} report {k} answered {result['unique_seconds']} s, "
                f"expected {k * period}"
            )


async def sample_cpu(master: int, window: Window) -> None:
    """gunicorn's CPU at the window's two ends (read off the event loop: /proc takes ms)."""
    await at(window.start)
    first = await asyncio.to_thread(server_cpu, master)
    await at(window.end)
    window.cpu = await asyncio.to_thread(server_cpu, master) - first


def timed(label: str, master: int, kinds: list[str], body: Any) -> Run:
    """Run `body(run)` (a coroutine function) and time it, with the CPU of both sides."""
    run = Run(label, {k: Calls(k) for k in kinds})
    cpu, server = time.process_time(), server_cpu(master)
    started = time.perf_counter()
    asyncio.run(body(run))
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - cpu
    run.server_cpu = server_cpu(master) - server
    return run


# -- verification --------------------------------------------------------------------------------


def verify(
    fx: Fixture, players: list[Player], cycles: int, period: int
) -> list[tuple[str, bool, str]]:
    from django.db.models import Count, Max, Min, Sum

    from peixun.core.models import AuditEvent
    from peixun.learning.models import Completion, ItemProgress, PlaySession, Strike

    checks: list[tuple[str, bool, str]] = []
    n, want = len(players), cycles * period
    rows = ItemProgress.objects.filter(item_id=fx.item_id)
    figures = rows.aggregate(
        n=Count("id"), total=Sum("unique_seconds"), low=Min("unique_seconds"),
        high=Max("unique_seconds"),
    )  # fmt: skip
    checks.append((f"exactly {n:,} progress rows", figures["n"] == n, f"{figures['n']:,} rows"))
    total = figures["total"] or 0
    checks.append(
        (
            f"unique seconds = {n:,} × {want} = {n * want:,} exactly",
            total == n * want and figures["low"] == figures["high"] == want,
            f"{total:,} stored, per member {figures['low']}–{figures['high']}",
        )
    )
    expected = [[0.0, float(want)]]
    odd = [
        (m, iv)
        for m, iv in rows.values_list("member_id", "intervals")
        if [[float(s), float(e)] for s, e in iv] != expected
    ]
    checks.append(
        (
            f"each progress is the one interval [0, {want})",
            not odd,
            f"{len(odd):,} differ" + (f", e.g. member {odd[0][0]}: {odd[0][1]!r}" if odd else ""),
        )
    )
    moved = sum(1 for _m, p in rows.values_list("member_id", "position") if p != want)
    checks.append((f"each position = {want}", not moved, f"{moved:,} differ"))
    played = PlaySession.objects.filter(member_id__in=fx.member_ids, item_id=fx.item_id)
    off = played.exclude(played_seconds=want).count()
    checks.append(
        (
            f"{n:,} play sessions, each {want} s accepted",
            played.count() == n and not off,
            f"{played.count():,} sessions, {off:,} differ",
        )
    )
    client_ok = sum(p.accepted == cycles and p.last_unique == want for p in players)
    checks.append(
        (
            "each player's reports all accepted, the last answering the total",
            client_ok == n,
            f"{client_ok:,} of {n:,}",
        )
    )
    strikes = Strike.objects.filter(item_id=fx.item_id).count()
    checks.append(("no strike", not strikes, f"{strikes:,} strikes"))
    done = Completion.objects.filter(course_id=fx.course_id).count()
    checks.append(("no completion (the video is longer)", not done, f"{done:,} completions"))
    starts = AuditEvent.objects.filter(verb="learning.play.start").count()
    checks.append(("one play audit event per member", starts == n, f"{starts:,} events"))
    return checks


def probe(fx: Fixture, bearer: str, member_id: int, cycles: int, period: int) -> list[Any]:
    """SQL queries of one play and one report (after the run: the next interval of member 0,
    the session aged by one period), in process through Django's test client, after a warm-up
    request has imported the URLconf and the API as a gunicorn worker has."""
    import datetime as dt

    from django.db import connection
    from django.db.models import F
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from peixun.learning.models import PlaySession

    client = TestClient(
        HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {bearer}"
    )
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    client.get(f"{API}/courses/{fx.course_id}", secure=True)
    out: list[tuple[str, int, float]] = []

    def count(label: str, path: str, payload: Any = None) -> Any:
        import json

        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.post(
                path, data=json.dumps(payload or {}), content_type="application/json"
            )
            seconds = time.perf_counter() - started
        if os.environ.get("BENCH_SHOW_SQL"):
            print(f"   -- {label}")
            for q in ctx.captured_queries:
                print(f"      {q['sql'][:220]}")
        if response.status_code != 200:
            raise SystemExit(f"probe {label}: {response.status_code} {response.content[:300]!r}")
        out.append((label, len(ctx.captured_queries), seconds * 1000))
        return response.json()

    token = count("play", f"{API}/items/{fx.item_id}/play")["token"]
    delta = dt.timedelta(seconds=period + 1)
    for k in (1, 2):
        PlaySession.objects.filter(member_id=member_id).update(
            started_at=F("started_at") - delta, last_report_at=F("last_report_at") - delta
        )
        body = report_body(token, cycles + k, period)
        answer = count(f"report {k}", f"{API}/items/{fx.item_id}/progress", body)
        if not answer["accepted"]:
            raise SystemExit(f"probe report refused: {answer['reason']}")
    return out


# -- one database --------------------------------------------------------------------------------


def run_one(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-watch-"))
    prepare_environment(args.db, workdir, SQLITE_PATH, PG_NAME)
    import django

    django.setup()
    import gunicorn
    from django.conf import settings
    from django.db import connection

    t_all = time.perf_counter()
    n, period, cycles = args.members, args.period, args.cycles
    rate = n / period
    print(
        f"== {args.db}: {n:,} players × {cycles} reports every {period} s (real time, "
        f"{rate:.0f} reports/s for {cycles * period} s), gunicorn {gunicorn.__version__} "
        f"({args.workers} {'gthread' if args.threads > 1 else 'sync'} workers × {args.threads} "
        f"thread(s), {os.cpu_count()} cores), client: asyncio (raw HTTP/1.1), open loop",
        flush=True,
    )
    served = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    if args.conn_max_age is not None:
        served = args.conn_max_age
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"   CONN_MAX_AGE {served} s; machine load average before the run: {load}")
    fx = build(n, args.video_seconds)
    print(
        f"   setup (migrate, tenant, users, tokens, course, video): {fx.seconds:.1f} s", flush=True
    )
    connection.close()  # gunicorn's workers open their own

    rng = random.Random(args.seed)
    players = [Player(i, b) for i, b in enumerate(fx.bearers)]
    order = list(players)
    rng.shuffle(order)
    spread = {p.index: i * period / n for i, p in enumerate(order)}  # even over one period
    port = free_port()
    log = workdir / "gunicorn.log"
    proc = start_gunicorn(args, port, log)
    runs: list[Run] = []
    floor_late: list[float] = []
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, log)

        async def warm_up(run: Run) -> None:
            client = Client(port, 50)

            async def one(i: int) -> None:
                async with client.gate:
                    await client.call(run.calls["warm"], "POST", FLOOR_PATH, None, {})
                    await client.call(
                        run.calls["warm"], "GET", f"{API}/courses/{fx.course_id}", fx.bearers[i]
                    )

            await asyncio.gather(*(one(i % n) for i in range(args.workers * 8)))

        timed("warm-up", proc.pid, ["warm"], warm_up)

        async def floor_phase(run: Run) -> None:
            client = Client(port, n)
            t0 = time.perf_counter() + 0.5
            await asyncio.gather(
                *(
                    floor_player(
                        client, run, t0 + spread[p.index], period, args.floor_cycles, floor_late
                    )
                    for p in players
                )
            )

        label = f"floor: {rate:.0f}/s POST a bare view"
        runs.append(timed(label, proc.pid, ["floor"], floor_phase))
        print(f"   floor done: {runs[-1].seconds:.1f} s", flush=True)

        t0 = time.perf_counter() + 1.0
        # Every play answered well before t0 + period + 1; the first player's last report is
        # due at about t0 + cycles × period.
        window = Window(t0 + period + 1.0, t0 + cycles * period)

        async def watch_phase(run: Run) -> None:
            client = Client(port, n)
            sampler = asyncio.create_task(sample_cpu(proc.pid, window))
            await asyncio.gather(
                *(
                    watch_player(client, run, fx, p, t0 + spread[p.index], period, cycles, window)
                    for p in players
                )
            )
            await sampler

        label = f"watch: play, then {cycles} reports each"
        runs.append(timed(label, proc.pid, ["play", "report"], watch_phase))
        print(f"   watch done: {runs[-1].seconds:.1f} s", flush=True)
    finally:
        stop_gunicorn(proc)

    status = report(runs)
    floor_run, watch_run = runs
    floor_cpu = floor_run.server_cpu / floor_run.requests * 1000 if floor_run.requests else 0.0
    per_report = window.cpu / window.reports * 1000 if window.reports else 0.0
    print(
        f"\n   steady window ({window.end - window.start:.0f} s, reports only): "
        f"{window.reports:,} reports, {window.reports / (window.end - window.start):.0f}/s, "
        f"server CPU {window.cpu:.1f} s = {per_report:.2f} ms per report "
        f"(floor {floor_cpu:.2f} ms per request), {window.cpu / (window.end - window.start):.2f} "
        f"of {os.cpu_count()} cores busy"
    )
    calls = watch_run.calls["report"]
    floor_calls = floor_run.calls["floor"]
    print(
        f"   report p95 {percentile(calls.latencies, 95):.1f} ms "
        f"(floor p95 {percentile(floor_calls.latencies, 95):.1f} ms), p50 "
        f"{percentile(calls.latencies, 50):.1f} ms (floor {percentile(floor_calls.latencies, 50):.1f})"
    )
    lag = max((p.late for p in players), default=0.0)
    print(
        f"   pacing: the latest report left {lag * 1000:.0f} ms after its time (a player waits "
        f"for its last answer first; floor {max(floor_late, default=0.0) * 1000:.0f} ms)"
    )
    checks = verify(fx, players, cycles, period)
    print("\n   verification from the database")
    for check, passed, detail in checks:
        status |= not passed
        print(f"   {'OK  ' if passed else 'FAIL'} {check}: {detail}")
    if not args.no_probe:
        print("\n   queries per request (in process, member 0, warm process)")
        for label, queries, ms in probe(fx, fx.bearers[0], fx.member_ids[0], cycles, period):
            print(f"   {label:<10} {queries:>3} queries  {ms:6.1f} ms")
    if status and log.exists():
        print("   gunicorn log, distinct lines (tail):\n      " + log_tail(log))
    print(f"   whole run: {time.perf_counter() - t_all:.1f} s\n", flush=True)

    connection.close()
    drop_database(args.db, SQLITE_PATH, PG_NAME)
    shutil.rmtree(workdir, ignore_errors=True)
    return int(bool(status))


def main() -> int:
    args = parse()
    if args.db != "both":
        return run_one(args)
    options = (
        "members", "period", "cycles", "floor_cycles", "video_seconds", "workers", "threads",
        "conn_max_age", "seed",
    )  # fmt: skip
    return run_each_database(__file__, args, options, flags=("no_probe",))


if __name__ == "__main__":
    sys.exit(main())
