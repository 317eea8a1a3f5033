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
        # Failed logins and lockouts in the audit trail, whichever way a password is tried (the
        # login page, the API's token call); successful logins and logouts are the views' own.
        # Imported here: django-axes' signals module reads settings at import time.
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals

        from . import signals
        from .selectors import grants_of
        from .services import accounts_deactivate_departed

        auth_signals.user_login_failed.connect(
            signals.on_login_failed, dispatch_uid="peixun.login_failed"
        )
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="peixun.locked_out")
        auth_signals.user_logged_in.connect(signals.on_logged_in, dispatch_uid="peixun.logged_in")

        register_grants_of(grants_of)
        register_member_departed(accounts_deactivate_departed)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
