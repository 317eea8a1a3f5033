"""The audit trail's sentences for online classes (core.describers). Verbs left out read from
their last word (`.create` → "created", `.publish` → "published")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from peixun.core.describers import Namer

ACTIONS = {
    "learning.online_class.courses": gettext_lazy("%(actor)s set the courses of %(object)s"),
    "learning.online_class.remind": gettext_lazy(
        "%(actor)s reminded the members who had not started %(object)s"
    ),
    "learning.online_class.progress_export": gettext_lazy(
        "%(actor)s exported the progress ledger of %(object)s"
    ),
}
NAMERS: dict[str, Namer] = {}
