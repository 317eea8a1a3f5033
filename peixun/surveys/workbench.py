"""What surveys contributes to the workbench (core.workbench): the member's surveys to answer."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import BigButton, CardLine, MemberCard

from .selectors.results import surveys_to_answer

SHOWN = 5


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    if not scope_of(actor).member_id:
        return []
    waiting = surveys_to_answer(actor=actor)
    lines = []
    for survey in waiting[:SHOWN]:
        note = (
            _("until %(when)s")
            % {"when": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")}
            if survey.closes_at
            else ""
        )
        lines.append(
            CardLine(text=survey.title, url=reverse("surveys:answer", args=[survey.pk]), note=note)
        )
    return [
        MemberCard(
            key="surveys.answer",
            title=_("Surveys to answer"),
            lines=tuple(lines),
            url=reverse("surveys:mine"),
            empty=_("Nothing to answer now."),
            order=55,
        )
    ]
