"""Audit entries as sentences: "张三 批准了 李四 的自学申报（2.0 学时）", not `hours.approve 812`.

core imports no app, so each app fills two registries in its `AppConfig.ready()`:

- `register_actions({verb: phrase})`: what the actor did, as a translated verb phrase
  ("approved"), or a whole sentence with `%(actor)s` and `%(object)s` when the phrase does not
  fit the shape "actor did object";
- `register_namers({object_type: namer})`: a namer takes the ids of one object type and answers
  their readable names in ONE query ("李四's self-study filing “党课” (2.0 hours)").

`describe_events(events)` calls each namer once for the ids of its type on the page, so a page
costs one query per object type shown, never one per row. An action nobody described reads from
its verb's last word (`.create` → "created") and an object nobody names reads as its model's
name and the `object_repr` recorded at the time, so every entry is still a sentence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent

# function(ids as recorded in AuditEvent.object_id) -> {id: readable name}; one query.
Namer = Callable[[set[str]], Mapping[str, str]]

_actions: dict[str, Any] = {}  # filled by the apps, and by core.apps with CORE_ACTIONS
_namers: dict[str, Namer] = {}

# Core's own verbs (the audit trail's retention purge).
CORE_ACTIONS: dict[str, Any] = {
    "audit.purge": gettext_lazy(
        "%(actor)s deleted the audit events past the retention period: %(object)s"
    ),
}

# The verb's last word, when no app described the verb itself.
GENERIC_ACTIONS: dict[str, Any] = {
    "create": gettext_lazy("created"),
    "add": gettext_lazy("added"),
    "update": gettext_lazy("changed"),
    "remove": gettext_lazy("removed"),
    "delete": gettext_lazy("deleted"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "return": gettext_lazy("returned"),
    "submit": gettext_lazy("submitted"),
    "publish": gettext_lazy("published"),
    "cancel": gettext_lazy("cancelled"),
    "close": gettext_lazy("closed"),
    "reopen": gettext_lazy("reopened"),
    "export": gettext_lazy("exported"),
    "import": gettext_lazy("imported"),
    "record": gettext_lazy("recorded"),
    "remind": gettext_lazy("sent a reminder about"),
    "assign": gettext_lazy("assigned"),
    "revoke": gettext_lazy("revoked"),
    "renew": gettext_lazy("renewed"),
    "attach": gettext_lazy("attached"),
    "detach": gettext_lazy("detached"),
    "rename": gettext_lazy("renamed"),
    "move": gettext_lazy("moved"),
    "transfer": gettext_lazy("transferred"),
}


def register_actions(actions: Mapping[str, Any]) -> None:
    """Verb → a translated (lazy) phrase, or a sentence with %(actor)s and %(object)s."""
    _actions.update(actions)


def register_namers(namers: Mapping[str, Namer]) -> None:
    """Object type (`app_label.modelname`, as `AuditEvent.object_type`) → its batch namer."""
    _namers.update(namers)


def int_ids(ids: Iterable[str]) -> list[int]:
    """The numeric ids among recorded object ids (a namer's filter; a stray one is skipped)."""
    return [int(i) for i in ids if i.isdigit()]


def actor_name(event: AuditEvent) -> str:
    """Who did it: the member's name behind the login, else the login; a job is "the system".
    Reads `actor` and `actor__member` as the selector joined them (no query)."""
    user = event.actor
    if user is None:
        return _("The system") if event.actor_id is None else _("A deleted user")
    member = getattr(user, "member", None) if getattr(user, "member_id", None) else None
    if member is not None:
        return str(member.name)
    return str(user.get_full_name() or user.username)


def _model_name(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _fallback_object(event: AuditEvent) -> str:
    kind = _model_name(event.object_type) if event.object_type else ""
    name = event.object_repr or event.object_id
    if kind and name:
        return _("%(kind)s “%(name)s”") % {"kind": kind, "name": name}
    return kind or name or "—"


def _action(verb: str) -> Any:
    if verb in _actions:
        return _actions[verb]
    words = verb.rsplit(".", 1)[-1].split("_")
    # "slips_export" is an export, "approve_first" an approval.
    return GENERIC_ACTIONS.get(words[-1]) or GENERIC_ACTIONS.get(words[0])


def describe_events(events: Sequence[AuditEvent]) -> list[str]:
    """One sentence per event, in order. One query per object type on the page (the namers')."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type in _namers and event.object_id:
            wanted[event.object_type].add(event.object_id)
    names = {kind: dict(_namers[kind](ids)) for kind, ids in wanted.items()}
    sentences = []
    for event in events:
        values = {
            "actor": actor_name(event),
            "object": names.get(event.object_type, {}).get(event.object_id)
            or _fallback_object(event),
        }
        action = _action(event.verb)
        if action is None:
            sentences.append(
                _("%(actor)s: “%(action)s” on %(object)s") % {**values, "action": event.verb}
            )
        elif "%(actor)s" in str(action) or "%(object)s" in str(action):
            sentences.append(str(action) % values)
        else:
            sentences.append(
                _("%(actor)s %(action)s %(object)s") % {**values, "action": str(action)}
            )
    return sentences
