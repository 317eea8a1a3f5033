"""Daily: remind branch secretaries of required meetings falling due (see orglife.reminders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from peixun.orglife.services.reminders import DAYS_BEFORE, meeting_reminders_send


class Command(BaseCommand):
    help = "Remind branch secretaries of required meetings whose period ends soon."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--days", type=int, default=DAYS_BEFORE)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = meeting_reminders_send(today=options["date"], days_before=options["days"])
        self.stdout.write(f"{sent} reminder(s) sent")
