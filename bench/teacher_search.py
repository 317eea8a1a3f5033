"""Benchmark: the 师资库's search page and API as the pool grows, beside a floor.

    .venv/bin/python bench/teacher_search.py [--sizes 1000 10000]

Builds a throwaway SQLite database under /tmp (never var/), migrates it, generates a small
tenant (400 members, 20 branches) and, for each size, grows its pool in bulk to that many
teachers: a quarter kept by the root and open to the whole county, the rest kept by the units
for their subtree, each with one to three subjects, and one in ten named by a session of a
training class. As the org admin of the root it then requests the pool page filtered by a
subject (`/resources/teachers/?subject=economy`, 20 rows a page), the same search in the API
(`limit=100`) and the unfiltered page, counting queries (`CaptureQueriesContext`) and timing
them (best of 5 after a warm-up). Floor: a raw SQL count of the same filter (visible to the
root, active, with the subject), timed the same way in the same run. Exits non-zero when a
page's query count differs between sizes or a page does not answer 200.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="peixun-bench-teachers-"))
DB_PATH = Path("/tmp/peixun-bench-teachers.sqlite3")
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
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from peixun.accounts.models import Grant, User  # noqa: E402
from peixun.demo.generator import TenantSize, generate_tenant  # noqa: E402
from peixun.events.models import Event  # noqa: E402
from peixun.orgs.models import Organization  # noqa: E402
from peixun.resources.models import Subject, Teacher, TeacherSubject  # noqa: E402
from peixun.training.models import Session, TrainingClass  # noqa: E402
from peixun.training.services.classes import class_create  # noqa: E402

REPEATS = 5
SUBJECTS = list(Subject.values)


def best_of(fn: Callable[[], Any]) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def grow(root: Organization, units: list[Organization], tc: TrainingClass, to: int) -> None:
    """Bulk rows up to `to` teachers (a fixed seed per size, so a run repeats itself)."""
    have = Teacher.objects.count()
    rng = random.Random(to)
    teachers = Teacher.objects.bulk_create(
        [
            Teacher(
                org=root if i % 4 == 0 else units[i % len(units)],
                open_to=root if i % 4 == 0 else units[i % len(units)],
                name=f"教师{i:06d}",
                unit=rng.choice(["县委党校", "县委宣传部", "县科技局", "县人民医院"]),
            )
            for i in range(have, to)
        ],
        batch_size=2000,
    )
    TeacherSubject.objects.bulk_create(
        [
            TeacherSubject(teacher=t, subject=s)
            for t in teachers
            for s in rng.sample(SUBJECTS, rng.choice((1, 2, 3)))
        ],
        batch_size=5000,
    )
    start = timezone.make_aware(dt.datetime.combine(tc.starts_on, dt.time(9)))
    named = teachers[::10]
    events = Event.objects.bulk_create(
        [
            Event(
                category=Event.Category.SESSION,
                org=tc.org,
                title=f"专题{t.pk}",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                hours=Decimal(3),
            )
            for t in named
        ],
        batch_size=2000,
    )
    Session.objects.bulk_create(
        [
            Session(training_class=tc, event=e, type="lecture", pool_teacher=t, teacher=t.name)
            for t, e in zip(named, events, strict=True)
        ],
        batch_size=2000,
    )


FLOOR_SQL = """
SELECT COUNT(*) FROM resources_teacher t
JOIN orgs_organization o ON o.id = t.org_id
WHERE o.path LIKE %s AND t.active
  AND EXISTS (SELECT 1 FROM resources_teachersubject s WHERE s.teacher_id = t.id AND s.subject = %s)
"""


def floor(root: Organization) -> tuple[float, int]:
    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [root.path + "%", "economy"])
            return int(cursor.fetchone()[0])

    return best_of(count), count()


def measure(client: Client, url: str) -> tuple[int, float, str]:
    client.get(url)  # warm-up: templates, translations, session
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    problem = "" if response.status_code == 200 else f"HTTP {response.status_code}"
    return len(captured.captured_queries), best_of(lambda: client.get(url)), problem


def run(sizes: list[int]) -> int:
    call_command("migrate", verbosity=0)
    root = generate_tenant(
        code="TB", name="县直机关工委", size=TenantSize(members=400, branches=20), seed=1
    ).root
    units = list(Organization.objects.get_children(root))
    admin = User.objects.create_user(username="bench-teachers-admin")
    Grant.objects.create(user=admin, role=Grant.Role.ORG_ADMIN, org=root)
    tc = class_create(
        actor=admin, org=root, title="处级干部轮训", kind="special", topic="innovation_theory",
        starts_on=timezone.localdate(), ends_on=timezone.localdate(), capacity=50, venue="党校",
    )  # fmt: skip
    client = Client()
    client.force_login(admin)
    pages = {
        "page ?subject=economy": reverse("resources:teacher_list") + "?subject=economy",
        "page (all)": reverse("resources:teacher_list"),
        "API ?subject=economy&limit=100": "/api/v1/resources/teachers/?subject=economy&limit=100",
    }
    rows: list[tuple[int, str, int, float, str]] = []
    floors: dict[int, tuple[float, int]] = {}
    for size in sizes:
        started = time.perf_counter()
        grow(root, units, tc, size)
        print(f"grew the pool to {size:,} teachers in {time.perf_counter() - started:.1f} s")
        floors[size] = floor(root)
        for label, url in pages.items():
            rows.append((size, label, *measure(client, url)))
    header = f"{'teachers':>9}  {'what':<32} {'queries':>7} {'ms':>8} {'× floor':>8}"
    print(header)
    print("-" * len(header))
    failed = False
    for size in sizes:
        ms, n = floors[size]
        print(
            f"{size:>9,}  {'floor: raw SQL count (' + format(n, ',') + ')':<32} {'1':>7} {ms:8.2f}"
        )
        for s, label, queries, took, problem in rows:
            if s == size:
                failed |= bool(problem)
                print(
                    f"{size:>9,}  {label:<32} {queries:>7} {took:8.2f} {took / ms:7.0f}×  {problem}"
                )
    for label in pages:
        counts = {q for _s, lb, q, _t, _p in rows if lb == label}
        if len(counts) != 1:
            failed = True
            print(f"DIFFERS: {label} ran {sorted(counts)} queries")
    print("FAIL" if failed else "OK: the query counts do not grow with the pool")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    args: Any = parser.parse_args(argv)
    for suffix in ("", "-wal", "-shm", ".writers"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    try:
        return run(sorted(args.sizes))
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
