"""Submit every attempt whose time ran out (run it from cron every minute or so; attempts are
also submitted when they are next touched and when their exam is finalised)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peixun.exams.services import attempts_expire


class Command(BaseCommand):
    help = "Submit every exam attempt past its time limit."

    def handle(self, *args: Any, **options: Any) -> None:
        count = attempts_expire()
        self.stdout.write(f"{count} attempt(s) submitted")
