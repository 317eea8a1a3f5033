import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.core.jobs import register_job


class ExamsConfig(AppConfig):
    name = "peixun.exams"
    label = "exams"
    verbose_name = _("Knowledge tests")

    def ready(self) -> None:
        # A member behind on study hours is pointed to the open tests that credit hours.
        from peixun.hours.registry import register_archive_source, register_suggestion_source

        from .selectors import archive_tests, open_exams_for_member
        from .services import attempts_expire

        register_suggestion_source("open_exams", open_exams_for_member)
        # A member's printed 培训档案 lists the tests they passed.
        register_archive_source("tests", archive_tests)
        # Attempts whose time ran out are submitted within a minute.
        register_job("exams.autosubmit", every=dt.timedelta(minutes=1), run=attempts_expire)

        # The workbench (工作台): to-dos and figures for staff, cards and buttons for members.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_member, register_staff

        from . import workbench

        register_staff("exams", workbench.staff_items)
        register_member("exams", workbench.member_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
