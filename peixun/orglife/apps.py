import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.core.jobs import register_job


class OrglifeConfig(AppConfig):
    name = "peixun.orglife"
    label = "orglife"
    verbose_name = _("Organisational life")

    def ready(self) -> None:
        # Imports stay in ready(): selectors load models, which needs the app registry ready.
        from peixun.events.registry import register_expected_members
        from peixun.plans.registry import register_plan_item_provider

        from .selectors import meeting_expected_member_ids, plan_item_delivery
        from .services.reminders import meeting_reminders_send

        # A meeting expects the Party members of its org's subtree (see the selector); sign-in,
        # attendance and leave of the events layer ask here.
        register_expected_members("meeting", meeting_expected_member_ids)
        # Closed meetings linked to a plan item count towards it (plan versus actual).
        register_plan_item_provider("meetings", plan_item_delivery)
        # Secretaries are reminded of required meetings falling due, once a day.
        register_job("orglife.reminders", every=dt.timedelta(days=1), run=meeting_reminders_send)

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("orglife", workbench.staff_items)
        register_member("orglife", workbench.member_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
