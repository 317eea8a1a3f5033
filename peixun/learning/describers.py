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
    # 必读书目
    "learning.reading_list.progress_export": gettext_lazy(
        "%(actor)s exported the reading ledger of %(object)s"
    ),
    "learning.book.add": gettext_lazy("%(actor)s added %(object)s to a reading list"),
    "learning.book.remove": gettext_lazy("%(actor)s removed %(object)s from a reading list"),
    "learning.book.credit_quiz": gettext_lazy("A passed quiz credited %(object)s"),
    "learning.reflection.file": gettext_lazy("%(actor)s filed a reflection on a book"),
    "learning.reflection.approve": gettext_lazy("%(actor)s approved a reflection on a book"),
    "learning.reflection.return": gettext_lazy("%(actor)s returned a reflection on a book"),
}
NAMERS: dict[str, Namer] = {}
