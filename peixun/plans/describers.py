"""The audit trail's sentences for training plans (core.describers): the files handed out."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

ACTIONS = {
    "plan.document_export": gettext_lazy("%(actor)s downloaded the plan document of %(object)s"),
    "plan.filings_export": gettext_lazy("%(actor)s exported the plan filings under %(object)s"),
}
