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
        from peixun.plans.registry import register_item_citations
        from peixun.resources.registry import register_teacher_ratings
        from peixun.training.registry import register_closing_check

        from . import describers, workbench
        from .selectors.evaluations import evaluation_closing_check
        from .selectors.needs import item_citation_provider
        from .selectors.results import teacher_rating_provider

        register_actions(describers.ACTIONS)
        register_namers(describers.NAMERS)

        # A democratic appraisal's page (orglife, below) links to its members' 述学.
        # Imported here: the selectors load models, which wait for the app registry.
        from peixun.orglife.registry import register_meeting_links

        from .selectors.study_reports import meeting_study_report_links

        register_meeting_links(meeting_study_report_links)
        # A teacher's rating in the 师资库 is what their evaluations say.
        register_teacher_ratings(teacher_rating_provider)
        # A class closes only once its evaluation has run, when the tenant asks for it.
        register_closing_check("evaluation", evaluation_closing_check)
        # The member's home: the surveys waiting for their answer.
        register_member("surveys", workbench.member_items)
        # A plan item shows the needs surveys it cites.
        register_item_citations("surveys.needs", item_citation_provider)
