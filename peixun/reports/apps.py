import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.core.jobs import register_job


class ReportsConfig(AppConfig):
    name = "peixun.reports"
    label = "reports"
    verbose_name = _("Reports and dashboard")

    def ready(self) -> None:
        # Imported here: the services load models, which needs the app registry ready.
        from .services import dashboards_refresh

        # Each tenant's top dashboard kept fresh, so a reader never waits for the whole tenant.
        register_job(
            "reports.dashboard_refresh", every=dt.timedelta(minutes=10), run=dashboards_refresh
        )
