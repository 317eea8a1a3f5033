"""`manage.py load_demo`: the demo county tenant and its five logins, once.

Idempotent: the demo root is found by its code, and when it exists nothing is written.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from peixun.demo.contests import fill_contests
from peixun.demo.evaluations import fill_evaluations
from peixun.demo.exams import load_demo_exams
from peixun.demo.generator import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    TenantSize,
    create_demo_users,
    generate_tenant,
)
from peixun.demo.habits import fill_habits
from peixun.demo.hours import generate_hours
from peixun.demo.learning import load_demo_learning
from peixun.demo.needs import fill_needs
from peixun.demo.orglife import load_demo_orglife
from peixun.demo.plans import load_demo_plans
from peixun.demo.reading import fill_reading
from peixun.demo.sites import fill_sites
from peixun.demo.spending import load_demo_spending
from peixun.demo.teachers import fill_teachers
from peixun.demo.training import demo_training_summary, load_demo_training
from peixun.hours.services import warnings_run
from peixun.orgs.models import Organization

DEMO_CODE = "DEMO"
DEMO_NAME = "县直机关工委"


def load_demo_shared(root: Organization, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """Teachers, sites, reading lists, study habits, competitions and 述学 (issue 17), each
    idempotent, in the order they build on each other (teachers before evaluations)."""
    return [
        ("Teacher pool", fill_teachers(root, seed=seed)),
        ("Sites and bookings", fill_sites(root)),
        ("Evaluations", fill_evaluations(root)),
        ("Reading lists", fill_reading(root, seed=seed)),
        ("Study groups, pairs and note checks", fill_habits(root, seed=seed)),
        ("Competitions and study reports", fill_contests(root)),
        ("Needs surveys", fill_needs(root, seed=seed)),
    ]


class Command(BaseCommand):
    help = "Load the demo tenant (a county organs' working committee) and the demo logins, once."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = TenantSize()
        parser.add_argument("--members", type=int, default=defaults.members)
        parser.add_argument("--branches", type=int, default=defaults.branches)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args: Any, **options: Any) -> None:
        root = Organization.objects.filter(code=DEMO_CODE).first()
        if root is not None:
            # A demo loaded before the training classes existed gets them now; else nothing.
            training = load_demo_training(root, seed=options["seed"])
            plans = load_demo_plans(root)
            orglife = load_demo_orglife(root, seed=options["seed"])
            exams = load_demo_exams(root, seed=options["seed"])
            learning = load_demo_learning(root, seed=options["seed"])
            spending = load_demo_spending(root)
            # An area already loaded answers {} or only why it skipped: nothing to report.
            shared = [
                (label, counts)
                for label, counts in load_demo_shared(root, options["seed"])
                if set(counts) - {"skipped"}
            ]
            for label, figures in shared:
                self.stdout.write(f"{label}: " + demo_training_summary(figures))
            if learning:
                self.stdout.write("Online learning: " + demo_training_summary(learning))
            if spending:
                self.stdout.write("Spending: " + demo_training_summary(spending))
            if training:
                self.stdout.write("Training classes: " + demo_training_summary(training))
            if plans:
                self.stdout.write("Training plans: " + demo_training_summary(plans))
            if orglife:
                self.stdout.write("Organisational life: " + demo_training_summary(orglife))
            if exams:
                self.stdout.write("Knowledge tests: " + demo_training_summary(exams))
            if not any((training, plans, orglife, exams, learning, spending, shared)):
                self.stdout.write("The demo tenant is already loaded; nothing to do.")
            self.print_logins()
            return
        started = time.perf_counter()
        size = TenantSize(
            members=options["members"],
            branches=options["branches"],
            units=max(1, round(options["branches"] / 10)),
        )
        tenant = generate_tenant(
            code=DEMO_CODE, name=DEMO_NAME, size=size, seed=options["seed"], verb="demo.load"
        )
        notes = create_demo_users(tenant)
        # After the users, so the secretary's decisions and members' filings name them.
        hours = generate_hours(tenant.root, seed=options["seed"])
        training = load_demo_training(tenant.root, seed=options["seed"])
        plans = load_demo_plans(tenant.root)
        orglife = load_demo_orglife(tenant.root, seed=options["seed"])
        exams = load_demo_exams(tenant.root, seed=options["seed"])
        learning = load_demo_learning(tenant.root, seed=options["seed"])
        spending = load_demo_spending(tenant.root)
        shared = load_demo_shared(tenant.root, options["seed"])
        # Today's warnings, as the daily job would send them: the demo's notification centre
        # shows real messages, and a later run_warnings today adds nothing (dedupe per day).
        warned = warnings_run(as_of=timezone.localdate(), tenant=tenant.root)
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{k} {v}" for k, v in tenant.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo tenant loaded in {elapsed:.1f} s: {counts}"))
        self.stdout.write("Study hours: " + ", ".join(f"{k} {v}" for k, v in hours.items()))
        self.stdout.write("Training classes: " + demo_training_summary(training))
        self.stdout.write("Training plans: " + demo_training_summary(plans))
        self.stdout.write("Organisational life: " + demo_training_summary(orglife))
        self.stdout.write("Knowledge tests: " + demo_training_summary(exams))
        self.stdout.write("Online learning: " + demo_training_summary(learning))
        self.stdout.write("Spending: " + demo_training_summary(spending))
        for label, figures in shared:
            self.stdout.write(f"{label}: " + demo_training_summary(figures))
        self.stdout.write(
            f"Warnings: {warned.members_warned} members at risk or behind, "
            f"{warned.digests_sent} branch digest(s) sent to secretaries"
        )
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        if tenant.feature_branch is not None:
            self.stdout.write(
                f"secretary and member belong to {Organization.objects.get_parent(tenant.feature_branch)} "
                f"{tenant.feature_branch}"
            )
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.description}")
