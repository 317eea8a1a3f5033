from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """师资库, 教学点 and 党建阵地 shared across units: teachers and sites, with bookings."""

    name = "peixun.resources"
    label = "resources"
    verbose_name = _("Teachers and sites")

    def ready(self) -> None:
        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
