"""Benchmark: a site's month calendar with 100 / 1,000 / 10,000 bookings in the month, beside a
floor measured in the same run.

    .venv/bin/python bench/site_calendar.py [--db sqlite|postgres|both] [--sizes 100,1000,10000]
        [--keep]

Builds a small tenant (a county, a unit with 20 branches, the unit's 党建阵地 open to the
county), then for each size fills the site's current month with that many bookings (a few
minutes each, back to back, asked or confirmed, by the branches in turn) and times, best of 3
after a warm-up:

- the calendar selector alone (`resources.selectors.site_calendar`), with its query count;
- the whole site page (`/resources/sites/<id>/?month=…`) as the county's org admin, with its
  query count (the calendar, the use over the year, the permission checks, the session);
- the floor: a raw SQL count of the same month's bookings, and a raw fetch of the columns the
  calendar shows (start, end, state, the unit's name).

The query counts must not grow with the bookings. SQLite lives under /tmp, PostgreSQL in its own
database `peixun_bench_site_calendar` at 127.0.0.1:5432; both are dropped at the end unless
--keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _timing import PG_SERVER, best_of, pg_admin, pg_exists  # noqa: E402 (bench/ is first on sys.path)

SQLITE_PATH = Path("/tmp/peixun-bench-site-calendar.sqlite3")
PG_NAME = "peixun_bench_site_calendar"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--sizes", default="100,1000,10000")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--one", help=argparse.SUPPRESS)  # the child process: one database
    return p.parse_args()


def tenant() -> tuple[Any, Any, list[Any], Any]:
    """A county, a unit with 20 branches, its venue open to the county, and the county's admin."""
    from peixun.accounts.models import Grant, User
    from peixun.orgs.models import Organization
    from peixun.resources.models import Site, SiteKind

    K = Organization.Kind
    root = Organization.objects.add_root({"code": "BSC", "name": "基准县委", "kind": K.COMMITTEE})
    unit = Organization.objects.add_child(
        root, {"code": "BSC01", "name": "基准局党委", "kind": K.COMMITTEE}
    )
    branches = [
        Organization.objects.add_child(
            unit, {"code": f"BSC01{i:02}", "name": f"第{i + 1}党支部", "kind": K.BRANCH}
        )
        for i in range(20)
    ]
    site = Site.objects.create(
        org=unit,
        open_to=root,
        kind=SiteKind.PARTY_VENUE,
        name="基准党建阵地",
        address="县府路1号",
        capacity=50,
    )
    admin = User.objects.create_user(username="bench-admin", password="x")
    Grant.objects.create(user=admin, role="org_admin", org=root)
    return root, site, branches, admin


def fill(site: Any, branches: list[Any], first: dt.datetime, n: int) -> None:
    """`n` bookings back to back in the month from `first`: each a few minutes, none overlapping."""
    from peixun.resources.models import Booking

    Booking.objects.filter(site=site).delete()
    span = dt.timedelta(days=27) / n
    rows = []
    for i in range(n):
        start = first + span * i
        rows.append(
            Booking(
                site=site,
                org=branches[i % len(branches)],
                starts_at=start,
                ends_at=start + span * 0.8,
                people=10,
                purpose="主题党日",
                state="confirmed" if i % 2 else "requested",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)


def floor(site: Any, first: dt.datetime, after: dt.datetime) -> tuple[float, float]:
    from django.db import connection

    from peixun.orgs.models import Organization
    from peixun.resources.models import Booking

    b = connection.ops.quote_name(Booking._meta.db_table)
    o = connection.ops.quote_name(Organization._meta.db_table)
    where = "b.site_id = %s AND b.state IN ('requested', 'confirmed') AND b.starts_at < %s AND b.ends_at > %s"

    def count() -> int:
        with connection.cursor() as c:
            c.execute(f"SELECT count(*) FROM {b} b WHERE {where}", [site.pk, after, first])
            return int(c.fetchone()[0])

    def fetch() -> int:
        with connection.cursor() as c:
            c.execute(
                f"SELECT b.starts_at, b.ends_at, b.state, o.name FROM {b} b JOIN {o} o ON o.id = b.org_id "
                f"WHERE {where} ORDER BY b.starts_at",
                [site.pk, after, first],
            )
            return len(c.fetchall())

    return best_of(count)[0], best_of(fetch)[0]


def run_one(db: str, sizes: list[int], keep: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-sites-"))
    if db == "sqlite":
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        if pg_exists(PG_NAME):
            pg_admin(f'DROP DATABASE "{PG_NAME}"')
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
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from peixun.resources.selectors import site_calendar

    call_command("migrate", verbosity=0)
    _root, site, branches, admin = tenant()
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    first = dt.datetime(today.year, today.month, 1, tzinfo=zone)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    client = Client()
    client.force_login(admin)
    url = f"/resources/sites/{site.pk}/?month={first:%Y-%m}"
    print(f"\n{db} ({connection.vendor}): site calendar of {first:%Y-%m}")
    print(
        f"{'bookings':>9} {'selector q':>10} {'selector s':>10} {'page q':>7} {'page s':>8} {'floor count s':>13} {'floor fetch s':>13}"
    )
    for n in sizes:
        fill(site, branches, first, n)
        connection.queries_log.clear()  # a full log would hide what the context captures
        with CaptureQueriesContext(connection) as q_sel:
            cal = site_calendar(site, first.year, first.month)
        assert len(cal.bookings) == n, (len(cal.bookings), n)
        sel_s, _ = best_of(lambda: site_calendar(site, first.year, first.month))
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as q_page:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        page_s, _ = best_of(lambda: client.get(url))
        count_s, fetch_s = floor(site, first, after)
        print(
            f"{n:>9} {len(q_sel):>10} {sel_s:>10.3f} {len(q_page):>7} {page_s:>8.3f} {count_s:>13.4f} {fetch_s:>13.4f}"
        )
    connection.close()
    if not keep:
        SQLITE_PATH.unlink(missing_ok=True)
        if db == "postgres":
            pg_admin(f'DROP DATABASE "{PG_NAME}"')


def main() -> None:
    args = parse()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.one:
        run_one(args.one, sizes, args.keep)
        return
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        # One process per database: Django is set up once per process.
        command = [sys.executable, __file__, "--one", db, "--sizes", args.sizes]
        subprocess.run([*command, *(["--keep"] if args.keep else [])], check=True)


if __name__ == "__main__":
    main()
