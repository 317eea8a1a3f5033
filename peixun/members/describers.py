"""The audit trail's sentences for members and the roster (core.describers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from peixun.core.describers import Namer

ACTIONS = {
    "member.reveal_id": gettext_lazy("viewed the full ID number of"),
    "member.depart": gettext_lazy("recorded the departure of"),
    "position.end": gettext_lazy("ended the position"),
    "roster.import": gettext_lazy("%(actor)s imported a roster into %(object)s"),
    "roster.export": gettext_lazy("%(actor)s exported the roster of %(object)s"),
}
NAMERS: dict[str, Namer] = {}
