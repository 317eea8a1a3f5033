from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "peixun.training"
    label = "training"
    verbose_name = _("Training classes")

    def ready(self) -> None:
        # A class session expects the class's enrolled members and those assigned to make it up.
        from peixun.events.registry import register_expected_members

        from .selectors import session_expected_member_ids

        register_expected_members("session", session_expected_member_ids)
