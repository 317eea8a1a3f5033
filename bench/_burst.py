"""What the burst benchmarks share (`signin_burst.py`, `exam_burst.py`): a fresh SQLite or
PostgreSQL database, a seeded tenant whose members each have a user and an API token, gunicorn on
a free loopback port serving `bench/_signin_settings.py` (peixun's settings plus the floor view),
its CPU time from /proc, and one HTTP/1.1 request written on asyncio streams.

Import it as `_burst` (the scripts run as `bench/<name>.py`, so `bench/` is first on sys.path).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
FLOOR_PATH = "/bench/floor/"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}  # nginx terminates TLS in production


# -- the database --------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare_environment(db: str, workdir: Path, sqlite_path: Path, pg_name: str) -> None:
    """Before Django reads its settings; gunicorn inherits the same environment."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        pg_admin(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
    os.environ["PEIXUN_VAR_DIR"] = str(workdir)
    os.environ["PEIXUN_DEBUG"] = "0"
    os.environ["PEIXUN_SECRET_KEY"] = "bench-only-" + secrets.token_hex(32)
    os.environ["PEIXUN_FIELD_KEY"] = "bench-only-" + secrets.token_hex(24)
    os.environ["PEIXUN_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
    os.environ.setdefault("PEIXUN_LOG_LEVEL", "WARNING")


def drop_database(db: str, sqlite_path: Path, pg_name: str) -> None:
    """After the run; the caller has closed Django's connection."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


@dataclass
class Members:
    root: Any  # the tenant's root Organization
    organiser: Any  # a User with an org-admin grant on the root
    people: list[Any]  # the tenant's members, by id
    users: list[Any]  # one User per member, same order
    bearers: list[str]  # one raw API token per member, same order


def seed_members(*, code: str, name: str, members: int, branches: int) -> Members:
    """A generated tenant of `members` members in `branches` branches, each member with a user
    (no usable password) and a personal API token; written with the ORM in bulk. The caller has
    migrated the database."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from peixun.accounts.models import ApiToken, Grant, User, hash_token
    from peixun.demo.generator import TenantSize, generate_tenant
    from peixun.members.models import Member

    tenant = generate_tenant(
        code=code, name=name, size=TenantSize(members=members, branches=max(1, branches))
    )
    root = tenant.root
    organiser = User.objects.create_user(username="bench_organiser", password=None)
    Grant.objects.create(user=organiser, org=root, role=Grant.Role.ORG_ADMIN)
    people = list(Member.objects.filter(org__path__startswith=root.path).order_by("pk"))
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench-m{m.pk}", member=m, password=unusable) for m in people]
    )
    bearers = [ApiToken.new_raw() for _ in users]
    expires = timezone.now() + dt.timedelta(days=1)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u,
                key_hash=hash_token(raw),
                expires_at=expires,
            )
            for u, raw in zip(users, bearers, strict=True)
        ]
    )
    return Members(root, organiser, people, users, bearers)


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`args` has `workers`, `threads` and `conn_max_age` (None: peixun's setting)."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "peixun.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    # peixun.wsgi only sets the settings module when none is given: same app, one extra URL.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench._signin_settings"}
    if args.conn_max_age is not None:
        env["BENCH_CONN_MAX_AGE"] = str(args.conn_max_age)
    # gunicorn's own log and Django's (console handler, stderr) both go to the log file.
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            r = httpx.post(base + FLOOR_PATH, json={}, headers=PROXY_HEADERS, timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def server_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master or ppid == master:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def log_tail(log: Path, lines: int = 30) -> str:
    """The last distinct lines of gunicorn's log, in order."""
    if not log.exists():
        return ""
    distinct = list(dict.fromkeys(log.read_text().splitlines()))
    return "\n      ".join(distinct[-lines:])


# -- the client ----------------------------------------------------------------------------------

# A request on the wire. Why not httpx for every request: on this 2-core machine httpx spends
# about 1.8 ms of client CPU per request (measured: see docs/benchmarks.md), which caps a run near
# 500 req/s whatever the server does and steals a core from it; these few lines spend 0.2 ms.
REQUEST = (
    "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n"
    "Connection: close\r\n{headers}\r\n"
)


async def raw_request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    """One request on a fresh connection, read to EOF (gunicorn's sync workers close it
    anyway); returns the status and the body (the server sends no chunked encoding here)."""
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = REQUEST.format(method=method, path=path, port=port, length=len(body), headers=lines)
        writer.write(head.encode() + body)
        data = await reader.read(-1)
    finally:
        writer.close()
    status_line, _sep, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def percentile(latencies: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of latencies in seconds, in milliseconds."""
    ordered = sorted(latencies)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


def run_each_database(
    script: str, args: argparse.Namespace, options: tuple[str, ...], flags: tuple[str, ...] = ()
) -> int:
    """`--db both`: run `script` once per database, each in its own interpreter (one Django
    settings per process), passing on the named options and true flags; the worse exit code."""
    status = 0
    for db in ("sqlite", "postgres"):
        argv = [sys.executable, script, "--db", db]
        for option in options:
            if getattr(args, option) is not None:
                argv += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
        argv += [f"--{flag.replace('_', '-')}" for flag in flags if getattr(args, flag)]
        status |= subprocess.call(argv)  # noqa: S603 - our own script
    return status


def add_server_arguments(p: argparse.ArgumentParser) -> None:
    """The gunicorn options every burst takes: workers, threads and the connection lifetime."""
    p.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (default 2 × cores + 1)",
    )
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    p.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="override CONN_MAX_AGE of the served app (default: peixun's setting)",
    )
