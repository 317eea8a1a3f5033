"""The audit trail's sentences for tests (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Attempt

ACTIONS = {
    "exams.attempt.start": gettext_lazy("started"),
    "exams.attempt.autosubmit": gettext_lazy(
        "%(actor)s submitted %(object)s when its time ran out"
    ),
    "exams.exam.finalise": gettext_lazy("finalised the results of"),
    "exams.question.retire": gettext_lazy("took out of use"),
    "exams.rule": gettext_lazy("%(actor)s changed the test rules"),
    "exams.exam.results_export": gettext_lazy("%(actor)s exported the results of %(object)s"),
    "exams.question.bank_export": gettext_lazy("%(actor)s exported questions of the bank"),
}


def attempt_names(ids: set[str]) -> Mapping[str, str]:
    rows = Attempt.objects.filter(pk__in=int_ids(ids)).select_related("member", "exam")
    return {
        str(a.pk): _("%(member)s's attempt at “%(exam)s”")
        % {"member": a.member.name, "exam": a.exam.title}
        for a in rows
    }


NAMERS = {"exams.attempt": attempt_names}
