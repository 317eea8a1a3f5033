from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from peixun.orgs.registry import register_member_readers


class MembersConfig(AppConfig):
    name = "peixun.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # Imported here: the selectors import models, which wait for Django's app registry.
        from . import selectors

        register_member_readers(
            counts=selectors.member_counts_by_org,
            subtree_count=selectors.subtree_member_count,
            org_ids=selectors.member_org_ids,
        )

        # The workbench (工作台): this app's to-dos and figures for staff.
        # Imported here: it imports the selectors, which load models after the app registry.
        from peixun.core.workbench import register_staff

        from . import workbench

        register_staff("members", workbench.staff_items)

        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers

        from . import describers

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
