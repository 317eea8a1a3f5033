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
