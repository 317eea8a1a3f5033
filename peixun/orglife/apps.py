from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "peixun.orglife"
    label = "orglife"
    verbose_name = _("Organisational life")
