from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "peixun.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import datetime as dt

        from . import checks  # noqa: F401  (registers the deploy checks; needs the app registry)
        from .audit import audit_purge
        from .describers import CORE_ACTIONS, register_actions
        from .jobs import jobs_prune, register_job
        from .uploads import uploads_sweep

        register_job("core.uploads_sweep", every=dt.timedelta(minutes=10), run=uploads_sweep)
        # Events past PEIXUN_AUDIT_RETENTION_DAYS go once a day (the chain's start moves along).
        register_job("core.audit_purge", every=dt.timedelta(days=1), run=audit_purge)
        # Job runs past a month and finished tasks past a week (a per-minute job writes many).
        register_job("core.jobs_prune", every=dt.timedelta(days=1), run=jobs_prune)
        register_actions(CORE_ACTIONS)
