"""`manage.py run_warnings [--date D] [--tenant CODE]`: the daily early-warning job (预警).

Safe to run more than once a day: each notification carries the day in its dedupe key.
Schedule it daily with cron or a systemd timer (docs/warnings.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peixun.hours.services import warnings_run
from peixun.orgs.models import Organization


class Command(BaseCommand):
    help = "Warn members at risk or behind on study hours, and send each branch's secretaries a digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="as-of date YYYY-MM-DD; default today")
        parser.add_argument("--tenant", default="", help="code of one tenant's root org")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["date"]:
            try:
                as_of = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2025-06-30.") from None
        tenant = None
        if options["tenant"]:
            tenant = Organization.objects.filter(
                code=options["tenant"].strip().upper(), depth=1
            ).first()
            if tenant is None:
                raise CommandError(f"No tenant with root code {options['tenant']}.")
        report = warnings_run(as_of=as_of, tenant=tenant)
        self.stdout.write(
            self.style.SUCCESS(
                f"Warnings as of {as_of}: {report.tenants} tenant(s), "
                f"{report.members_warned} member(s) at risk or behind, "
                f"{report.members_notified} member notification(s) sent, "
                f"{report.members_without_account} without an account, "
                f"{report.digests_sent} digest(s) to secretaries of {report.branches} branch(es)."
            )
        )
        missing = report.branches_without_secretary
        if missing:
            shown = "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")
            self.stdout.write(
                self.style.WARNING(
                    f"{len(missing)} branch(es) with members behind have no secretary account "
                    f"to receive the digest: {shown}"
                )
            )
