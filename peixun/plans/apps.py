from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "peixun.plans"
    label = "plans"
    verbose_name = _("Training plans")

    def ready(self) -> None:
        # The workbench (工作台): this app's to-dos and figures for staff.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_staff

        from . import workbench

        register_staff("plans", workbench.staff_items)
