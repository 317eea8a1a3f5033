from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "peixun.events"
    label = "events"
    verbose_name = _("Events and attendance")

    def ready(self) -> None:
        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("events", workbench.staff_items)
        register_member("events", workbench.member_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
