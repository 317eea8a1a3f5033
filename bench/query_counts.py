"""Benchmark: pages keep a constant number of queries as the tenant grows.

    .venv/bin/python bench/query_counts.py [--small 100] [--large 10000]

Builds a throwaway SQLite database under /tmp (never var/), migrates it, generates a tenant
of `--small` members (one branch per 20 members), measures each page, then generates a second
tenant of `--large` members and measures again. Each page is requested through Django's test
`Client` as a platform admin and as the org admin of the tenant being measured; queries are
counted with `CaptureQueriesContext` and the time per request is the mean of several requests
after a warm-up. Exits non-zero when any page's query count differs between the two sizes, or
when a page is missing or does not answer 200.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="peixun-bench-qc-"))
DB_PATH = Path("/tmp/peixun-bench-qc.sqlite3")
# Before Django reads its settings: a throwaway database and var dir, so var/ is never touched.
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["PEIXUN_VAR_DIR"] = str(WORKDIR)
os.environ["PEIXUN_ALLOWED_HOSTS"] = "testserver"
os.environ["PEIXUN_AXES"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "peixun.settings"
os.environ.setdefault("PEIXUN_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from peixun.accounts.models import Grant, User  # noqa: E402
from peixun.demo.generator import TenantSize, generate_tenant  # noqa: E402
from peixun.orgs.models import Organization  # noqa: E402

REPEATS = 5
MEMBERS_PER_BRANCH = 20


@dataclass(frozen=True)
class Page:
    label: str
    url: Callable[[Organization], str]
    headers: dict[str, str]


PAGES: tuple[Page, ...] = (
    Page("orgs:tree", lambda root: reverse("orgs:tree"), {}),
    Page(
        "orgs:children [root] (HTMX)",
        lambda root: reverse("orgs:children", args=[root.pk]),
        {"HX-Request": "true"},
    ),
    Page("members:list", lambda root: reverse("members:list"), {}),
    Page("members:list?org=<root>", lambda root: f"{reverse('members:list')}?org={root.pk}", {}),
)


@dataclass
class Measure:
    queries: int | None = None
    ms: float | None = None
    problem: str = ""


def measure(client: Client, page: Page, root: Organization) -> Measure:
    try:
        url = page.url(root)
    except NoReverseMatch:
        return Measure(problem="missing (no such URL name)")
    client.get(url, headers=page.headers)  # warm-up: templates, translations, session
    # The query log is a bounded deque; once full its length stops growing, so empty it first.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=page.headers)
    if response.status_code != 200:
        return Measure(problem=f"HTTP {response.status_code}")
    started = time.perf_counter()
    for _ in range(REPEATS):
        client.get(url, headers=page.headers)
    ms = (time.perf_counter() - started) / REPEATS * 1000
    return Measure(queries=len(captured.captured_queries), ms=ms)


def tenant(members: int, code: str) -> tuple[Organization, float]:
    started = time.perf_counter()
    size = TenantSize(
        members=members, branches=max(1, members // MEMBERS_PER_BRANCH), groups=members // 500
    )
    root = generate_tenant(
        code=code, name=f"县直机关工委（{members}）", size=size, seed=members
    ).root
    return root, time.perf_counter() - started


def clients_for(root: Organization, platform_admin: User) -> dict[str, Client]:
    org_admin = User.objects.create_user(username=f"org-admin-{root.code.lower()}")
    Grant.objects.create(user=org_admin, role=Grant.Role.ORG_ADMIN, org=root)
    clients: dict[str, Client] = {}
    for persona, user in (("platform_admin", platform_admin), ("org_admin", org_admin)):
        client = Client()
        client.force_login(user)
        clients[persona] = client
    return clients


def run(small: int, large: int) -> int:
    call_command("migrate", verbosity=0)
    platform_admin = User.objects.create_user(username="bench-platform-admin")
    Grant.objects.create(user=platform_admin, role=Grant.Role.PLATFORM_ADMIN)
    results: dict[tuple[str, str], dict[int, Measure]] = {}
    for members in (small, large):
        root, seconds = tenant(members, f"QC{members}")
        print(f"generated a tenant of {members:,} members in {seconds:.1f} s", flush=True)
        for persona, client in clients_for(root, platform_admin).items():
            for page in PAGES:
                results.setdefault((page.label, persona), {})[members] = measure(client, page, root)

    def cell(m: Measure, what: str) -> str:
        if m.problem:
            return m.problem
        return str(m.queries) if what == "q" else f"{m.ms:.1f}"

    header = (
        f"{'page':<30} {'persona':<15} {'queries@' + format(small, ','):>14} "
        f"{'queries@' + format(large, ','):>15} {'ms@' + format(small, ','):>10} "
        f"{'ms@' + format(large, ','):>10}  verdict"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for (label, persona), by_size in results.items():
        a, b = by_size[small], by_size[large]
        ok = not a.problem and not b.problem and a.queries == b.queries
        failed |= not ok
        print(
            f"{label:<30} {persona:<15} {cell(a, 'q'):>14} {cell(b, 'q'):>15} "
            f"{cell(a, 'ms'):>10} {cell(b, 'ms'):>10}  {'constant' if ok else 'DIFFERS'}"
        )
    print("FAIL: some page's query count grows with the tenant" if failed else "OK")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    args: Any = parser.parse_args(argv)
    for suffix in ("", "-wal", "-shm", ".writers"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    try:
        return run(args.small, args.large)
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
