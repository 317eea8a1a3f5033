from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "peixun.training"
    label = "training"
    verbose_name = _("Training classes")

    def ready(self) -> None:
        # Imported here, not at the top: they import the models, which the app registry loads
        # only after every AppConfig is created.
        from peixun.events.registry import (
            register_attendance_listener,
            register_close_owner,
            register_expected_condition,
            register_expected_members,
        )
        from peixun.hours.registry import register_archive_source, register_suggestion_source
        from peixun.plans.registry import register_plan_item_provider

        from .selectors import (
            archive_classes,
            classes_open_for_member,
            plan_item_delivery,
            session_closing_url,
            session_expected_member_ids,
            session_expects_member,
        )
        from .services.closing import enrolment_leave_flags_refresh

        # A class session expects the class's enrolled members and those assigned to make it up.
        register_expected_members("session", session_expected_member_ids)
        register_expected_condition("session", session_expects_member)
        register_attendance_listener("session", enrolment_leave_flags_refresh)
        # Sessions are credited by closing the class (结班), after its checklist, never alone.
        register_close_owner("session", session_closing_url)
        # Closed classes linked to a plan item count towards it (plan versus actual).
        register_plan_item_provider("classes", plan_item_delivery)
        # A member behind on study hours is pointed to the classes they could still join.
        register_suggestion_source("open_classes", classes_open_for_member)
        # A member's printed 培训档案 lists the classes they attended and whether they completed.
        register_archive_source("classes", archive_classes)

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("training", workbench.staff_items)
        register_member("training", workbench.member_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
