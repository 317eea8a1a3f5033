import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "peixun.learning"
    label = "learning"
    verbose_name = _("Online learning")

    def ready(self) -> None:
        # A member's 培训档案 lists the courses they completed, with the evidence behind each
        # credit. Imported here: the selectors load models, which wait for the app registry.
        from peixun.hours.registry import register_archive_source

        from .selectors import archive_courses

        register_archive_source("courses", archive_courses)

        # The workbench (工作台): the online classes open now, for staff. Imported here: it
        # imports the models, which wait for the app registry.
        from peixun.core.workbench import register_staff

        from . import workbench

        register_staff("learning", workbench.staff_items)

        # The audit trail's sentences for online classes (core.describers).
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)

        # Uploads checked but never applied may hold plain ID numbers: deleted after
        # LEARNING_IMPORT_KEEP_DAYS, the batch marked expired (docs/learning.md).
        from peixun.core.jobs import register_job

        from .services.imports.batches import imports_expire

        register_job("learning.imports_expire", every=dt.timedelta(hours=6), run=imports_expire)

        # 必读书目: a passed quiz credits the book; a 心得's ledger entry decided in the hours
        # flow (the pending page, a bulk approval) is followed by the 心得. Imported here: the
        # services load models, which wait for the app registry.
        from peixun.exams.registry import register_attempt_graded
        from peixun.hours.registry import register_entry_decided

        from .services.reading import credit_from_attempt, reflection_follow_entry

        register_attempt_graded(credit_from_attempt)
        register_entry_decided(reflection_follow_entry)
