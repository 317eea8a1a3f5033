"""Benchmark: the CPU of one QR sign-in in one process, beside the bare view (no gunicorn).

    .venv/bin/python bench/signin_cpu.py [--db sqlite|postgres] [--members 300]

Builds the same data as bench/signin_burst.py (its `build`; SQLite at
/tmp/peixun-bench-signin-cpu.sqlite3 or PostgreSQL `peixun_bench_signin_cpu`, dropped after) and
calls Django's `WSGIHandler` directly, one request at a time, with the same requests as the burst:
the floor view, each member's first sign-in (in two halves), then each member's repeated scan.
Prints the process CPU time per request (`time.process_time`), so on a machine shared with other
work it is far steadier than a throughput; the database server's own CPU (PostgreSQL) is not in it.
Exits non-zero on any answer but 200.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import signin_burst as burst  # bench/ is first on sys.path
from _burst import (
    FLOOR_PATH,  # bench/ is first on sys.path
    drop_database,  # bench/ is first on sys.path
)

burst.SQLITE_PATH = Path("/tmp/peixun-bench-signin-cpu.sqlite3")
burst.PG_NAME = "peixun_bench_signin_cpu"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--members", type=int, default=300)
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="also write a cProfile of the first sign-ins (2nd half) to FILE (pstats format)",
    )
    args = p.parse_args()
    burst.prepare_environment(args.db, Path(tempfile.mkdtemp(prefix="peixun-bench-signin-cpu-")))
    os.environ["DJANGO_SETTINGS_MODULE"] = "_signin_settings"  # the floor view's URLs in front
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from peixun.events.logic import signin_token

    fx = burst.build(args.members)
    handler = WSGIHandler()
    event = fx.events[0]
    signin = f"/api/v1/events/{event.pk}/signin"

    def call(path: str, bearer: str | None = None) -> None:
        body = json.dumps({"token": signin_token(event, fx.rules)}).encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        if bearer:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
        statuses: list[str] = []

        def start_response(status: str, headers: Any, *_: Any) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda chunk: None

        answer = b"".join(handler(environ, start_response))
        if not statuses[0].startswith("200"):
            sys.exit(f"{path}: {statuses[0]} {answer[:300]!r}")

    def timed(label: str, calls: list[Callable[[], None]]) -> float:
        started = time.process_time()
        for one in calls:
            one()
        ms = (time.process_time() - started) / len(calls) * 1000
        print(f"   {label:28s} {len(calls):6,} requests  {ms:6.2f} ms CPU per request")
        return ms

    n, half = len(fx.bearers), len(fx.bearers) // 2
    for _ in range(50):  # warm the floor's path (imports, URL resolver)
        call(FLOOR_PATH)
    print(f"== {args.db}: {n:,} members, load average {os.getloadavg()[0]:.2f}")
    floor = timed("floor", [lambda: call(FLOOR_PATH)] * n)
    firsts = [
        timed("first sign-in (1st half)", [partial(call, signin, b) for b in fx.bearers[:half]])
    ]
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    firsts.append(
        timed("first sign-in (2nd half)", [partial(call, signin, b) for b in fx.bearers[half:]])
    )
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    repeat = timed("repeated scan", [partial(call, signin, b) for b in fx.bearers])
    first = sum(firsts) / len(firsts)
    print(
        f"   first sign-in {first / floor:.1f}× the floor's CPU, repeated scan {repeat / floor:.1f}×"
    )
    connection.close()
    drop_database(args.db, burst.SQLITE_PATH, burst.PG_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
