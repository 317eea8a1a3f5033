from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.core.registry import register_grants_of


class AccountsConfig(AppConfig):
    name = "peixun.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here: the selectors import models, which wait for Django's app registry.
        from .selectors import grants_of

        register_grants_of(grants_of)
