"""Every write of a class and its curriculum: create and change a class (`build`), add, change
and remove its sessions, each one an `events.Event` (`sessions`), the theory-share check,
publication and cancellation (`publish`), and the tenant's training settings (`settings`).
Callers import from here."""

from .build import (
    CLASS_AUDIT,
    CLASS_FIELDS,
    EDITABLE_STATES,
    MAX_CAPACITY,
    class_create,
    class_update,
    clean_audience,
    clean_class_fields,
    require_editable,
)
from .publish import (
    THEORY_CHECKED_KINDS,
    TheoryShare,
    class_cancel,
    class_publish,
    percent,
    theory_check_applies,
    theory_share,
)
from .sessions import (
    SESSION_FIELDS,
    clean_session_fields,
    session_add,
    session_remove,
    session_update,
)
from .settings import (
    SETTINGS_FIELDS,
    clean_settings,
    training_settings_update,
)

__all__ = [
    "CLASS_AUDIT",
    "CLASS_FIELDS",
    "EDITABLE_STATES",
    "MAX_CAPACITY",
    "SESSION_FIELDS",
    "SETTINGS_FIELDS",
    "THEORY_CHECKED_KINDS",
    "TheoryShare",
    "class_cancel",
    "class_create",
    "class_publish",
    "class_update",
    "clean_audience",
    "clean_class_fields",
    "clean_session_fields",
    "clean_settings",
    "percent",
    "require_editable",
    "session_add",
    "session_remove",
    "session_update",
    "theory_check_applies",
    "theory_share",
    "training_settings_update",
]
