"""`manage.py audit_purge`: delete audit events older than PEIXUN_AUDIT_RETENTION_DAYS now (the
`core.audit_purge` job does it daily); the chain's start moves to the last event deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peixun.core.audit import audit_purge


class Command(BaseCommand):
    help = "Delete audit events past the retention period, keeping the chain verifiable."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_purge()
        self.stdout.write(
            f"{result.purged} event(s) purged"
            + (f" through event {result.through_id}" if result.through_id else "")
        )
