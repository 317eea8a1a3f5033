"""Benchmark: logins for a whole county-like tenant in one step — target ≤ 30 s for 10,000 members.

    .venv/bin/python bench/accounts_bulk.py [--members 10000] [--branches 700] [--db sqlite|pg]

Builds a throwaway database (SQLite under /tmp, or a fresh PostgreSQL database on
127.0.0.1:5432 with --db pg), migrates it, generates one tenant with `generate_tenant`, then
times, in one process:

- the floor: the same rows (one User with an unusable password and one ActivationCode per member)
  written with bare `bulk_create` in batches of 1,000, then deleted again;
- `accounts_create_for_org` for the whole tenant (scope check, batches of members without a login,
  user names and mobiles checked per batch, users and codes in bulk, one audit event).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _burst import (  # noqa: E402 -- bench/ is first on sys.path, as for the other bursts
    drop_database,
    pg_admin,
    prepare_environment,
)

TARGET_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=700)
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-accounts-"))
    sqlite_path = workdir / "bench.sqlite3"
    pg_name = f"peixun_bench_accounts_{secrets.token_hex(4)}"
    if args.db == "pg":
        pg_admin("SELECT 1")  # fail early and clearly when no server answers
    prepare_environment(args.db, workdir, sqlite_path, pg_name)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from peixun.accounts.models import ActivationCode, Grant, User
    from peixun.accounts.services import CODE_LIFETIME, accounts_create_for_org
    from peixun.accounts.services.accounts import code_hash, new_code
    from peixun.demo.generator import TenantSize, generate_tenant
    from peixun.members.models import Member

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        tenant = generate_tenant(
            code="BA", name="基准县", size=TenantSize(members=args.members, branches=args.branches)
        )
        admin = User.objects.create_user(username="bench-admin", password=None)
        Grant.objects.create(user=admin, role=Grant.Role.ORG_ADMIN, org=tenant.root)
        members = list(Member.objects.filter(org__path__startswith=tenant.root.path).order_by("pk"))
        print(
            f"tenant: {len(members)} members, generated in {time.perf_counter() - started:.1f} s "
            f"({args.db})"
        )

        # The floor: the same rows, bare bulk_create, rolled back afterwards.
        started = time.perf_counter()
        with transaction.atomic():
            unusable = make_password(None)
            expires = timezone.now() + CODE_LIFETIME
            for start in range(0, len(members), 1000):
                chunk = members[start : start + 1000]
                users = User.objects.bulk_create(
                    [User(username=f"floor{m.pk}", member=m, password=unusable) for m in chunk]
                )
                ActivationCode.objects.bulk_create(
                    [
                        ActivationCode(user=u, code_hash=code_hash(new_code()), expires_at=expires)
                        for u in users
                    ]
                )
            floor = time.perf_counter() - started
            transaction.set_rollback(True)

        started = time.perf_counter()
        result = accounts_create_for_org(actor=admin, org=tenant.root, include_subtree=True)
        elapsed = time.perf_counter() - started
        assert result.created == len(members), (result.created, len(members))
        assert ActivationCode.objects.count() == len(members)

        print(f"floor (bare bulk_create of {len(members)} users + codes): {floor:6.2f} s")
        print(f"accounts_create_for_org (whole tenant):        {elapsed:6.2f} s")
        print(
            f"ratio {elapsed / floor:.1f}x the floor; target ≤ {TARGET_SECONDS:.0f} s: "
            f"{'met' if elapsed <= TARGET_SECONDS else 'MISSED'}"
        )
    finally:
        connection.close()
        drop_database(args.db, sqlite_path, pg_name)


if __name__ == "__main__":
    main()
