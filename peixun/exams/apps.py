from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "peixun.exams"
    label = "exams"
    verbose_name = _("Knowledge tests")
