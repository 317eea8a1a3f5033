"""`manage.py generate_tenant --members N --branches M`: a synthetic tenant for benchmarks.

The demo generator at another scale, under its own root code. Refuses a code already in use.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.demo.generator import TenantSize, generate_tenant
from peixun.demo.hours import generate_hours
from peixun.orgs.models import Organization


class Command(BaseCommand):
    help = "Generate a synthetic county tenant of N members in M branches under a new root."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--branches", type=int, required=True)
        parser.add_argument("--units", type=int, default=None, help="default: branches / 10")
        parser.add_argument("--groups", type=int, default=None, help="default: branches / 25")
        parser.add_argument("--code", default="", help="root code; default GEN<members>")
        parser.add_argument("--name", default="", help="root name; default 县直机关工委（生成）")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--entries-per-member",
            type=int,
            default=0,
            help="study-hour entries per member this year (default 0: no ledger)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        members, branches = options["members"], options["branches"]
        if members < 1 or branches < 1:
            raise CommandError("--members and --branches must be positive.")
        if members < branches:
            raise CommandError("Give at least one member per branch.")
        per_member = options["entries_per_member"]
        if per_member < 0:
            raise CommandError("--entries-per-member cannot be negative.")
        code = (options["code"] or f"GEN{members}").strip().upper()
        if len(code) > 20:
            raise CommandError("--code may have at most 20 characters.")
        if Organization.objects.filter(code=code).exists():
            raise CommandError(f"An organization with code {code} already exists.")
        groups = options["groups"] if options["groups"] is not None else branches // 25
        size = TenantSize(members=members, branches=branches, units=options["units"], groups=groups)
        started = time.perf_counter()
        tenant = generate_tenant(
            code=code,
            name=options["name"] or "县直机关工委（生成）",
            size=size,
            seed=options["seed"],
        )
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{k} {v}" for k, v in tenant.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Tenant {code} (pk {tenant.root.pk}) in {elapsed:.1f} s: {counts}")
        )
        if per_member:
            started = time.perf_counter()

            def progress(written: int) -> None:
                if written % 200_000 >= 20_000:  # a line about every 200,000 rows
                    return
                rate = written / max(1e-9, time.perf_counter() - started)
                self.stdout.write(f"  {written:,} entries written ({rate:,.0f}/s)")
                self.stdout.flush()

            hours = generate_hours(
                tenant.root,
                seed=options["seed"],
                entries_per_member=per_member,
                progress=progress,
            )
            elapsed = time.perf_counter() - started
            summary = ", ".join(f"{k} {v}" for k, v in hours.items())
            self.stdout.write(self.style.SUCCESS(f"Study hours in {elapsed:.1f} s: {summary}"))
