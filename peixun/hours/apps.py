from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.orgs.registry import register_tenant_created


class HoursConfig(AppConfig):
    name = "peixun.hours"
    label = "hours"
    verbose_name = _("Study hours")

    def ready(self) -> None:
        # Imported here: it imports models, which wait for Django's app registry.
        from peixun.hours.services import requirements_seed_defaults

        register_tenant_created(requirements_seed_defaults)

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("hours", workbench.staff_items)
        register_member("hours", workbench.member_items)
