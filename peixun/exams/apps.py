from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "peixun.exams"
    label = "exams"
    verbose_name = _("Knowledge tests")

    def ready(self) -> None:
        # A member behind on study hours is pointed to the open tests that credit hours.
        from peixun.hours.registry import register_suggestion_source

        from .selectors import open_exams_for_member

        register_suggestion_source("open_exams", open_exams_for_member)

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("exams", workbench.staff_items)
        register_member("exams", workbench.member_items)
