import datetime as dt

from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.jobs import register_job
from peixun.orgs.registry import register_tenant_created


class HoursConfig(AppConfig):
    name = "peixun.hours"
    label = "hours"
    verbose_name = _("Study hours")

    def ready(self) -> None:
        # Imported here: it imports models, which wait for Django's app registry.
        from peixun.hours.services import (
            compliance_snapshots_refresh,
            partitions_ensure,
            requirements_seed_defaults,
            warnings_run,
        )

        register_tenant_created(requirements_seed_defaults)
        # The early warnings (预警) of every tenant, once a day (dedupe keys carry the day).
        register_job(
            "hours.warnings",
            every=dt.timedelta(days=1),
            run=lambda: warnings_run(as_of=timezone.localdate(), tenant=None),
        )
        # The ledger's yearly partitions on PostgreSQL, made ahead of each new year (no-op on SQLite).
        register_job("hours.partitions", every=dt.timedelta(days=1), run=partitions_ensure)
        # Large orgs' compliance summaries, kept so that their pages never judge a province live.
        register_job(
            "hours.compliance_refresh",
            every=dt.timedelta(minutes=10),
            run=compliance_snapshots_refresh,
        )

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("hours", workbench.staff_items)
        register_member("hours", workbench.member_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
