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
