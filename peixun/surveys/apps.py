from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Evaluation (评估), needs surveys (需求调研), competitions (党课评比) and 述学评学."""

    name = "peixun.surveys"
    label = "surveys"
    verbose_name = _("Evaluation and surveys")

    def ready(self) -> None:
        # The audit trail's sentences for this app's actions (core.describers).
        # Imported here: it imports the models, which wait for Django's app registry.
        from peixun.core.describers import register_actions, register_namers
        from peixun.core.workbench import register_member
        from peixun.resources.registry import register_teacher_ratings
        from peixun.training.registry import register_closing_check

        from . import describers, workbench
        from .selectors.evaluations import evaluation_closing_check
        from .selectors.results import teacher_rating_provider

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)
        # A teacher's rating in the 师资库 is what their evaluations say.
        register_teacher_ratings(teacher_rating_provider)
        # A class closes only once its evaluation has run, when the tenant asks for it.
        register_closing_check("evaluation", evaluation_closing_check)
        # The member's home: the surveys waiting for their answer.
        register_member("surveys", workbench.member_items)
