from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.core.registry import register_grants_of
from peixun.members.registry import register_member_departed


class AccountsConfig(AppConfig):
    name = "peixun.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here: the selectors import models, which wait for Django's app registry.
        from .selectors import grants_of
        from .services import accounts_deactivate_departed

        register_grants_of(grants_of)
        register_member_departed(accounts_deactivate_departed)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
