from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "peixun.plans"
    label = "plans"
    verbose_name = _("Training plans")

    def ready(self) -> None:
        # Imported here: the workbench imports the selectors, which load models after the app
        # registry; the describers follow the same rule as every app's.
        from peixun.core.describers import register_actions
        from peixun.core.workbench import register_staff

        from . import describers, workbench

        # The workbench (工作台): this app's to-dos and figures for staff.
        register_staff("plans", workbench.staff_items)
        # The audit trail's sentences for this app's actions (core.describers).
        register_actions(describers.ACTIONS)
