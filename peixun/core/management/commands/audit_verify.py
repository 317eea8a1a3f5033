"""`manage.py audit_verify`: walk the audit trail's hash chain and report the first broken link.

Exit status 0 when every event checks out, 1 (with the reason on stderr) at the first event that
was changed, deleted, or inserted behind the application's back. Reads in chunks, so a trail of
millions of events needs no more memory than a few thousand.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.core.audit import VERIFY_CHUNK, audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 at the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=VERIFY_CHUNK, help="events per read")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(chunk=max(1, options["chunk"]))
        if report.broken is not None:
            raise CommandError(
                f"audit chain broken after {report.checked} good event(s): {report.broken.reason}"
            )
        # The head's hash, worth noting somewhere else: it vouches for everything before it.
        self.stdout.write(f"audit chain intact: {report.checked} event(s), head {report.last_hash}")
