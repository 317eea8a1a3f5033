"""Every write of annual training plans: the plan and its items, filing (报备) upward, the
superior's approval or return, resubmission, attachments and reminders to those not yet filed.

Who does what: a manager of the plan's org (its org admin, or the secretary of a branch) drafts,
edits and submits; a manager of the PARENT org approves or returns (the plan's own org never
approves itself); a plan of a tenant's root has no superior in the system and is approved by a
platform admin. Each submission freezes a `PlanVersion`, so every version stays readable.

The audited downloads are `services.exports` (callers import the module).
"""

from .attachments import attachment_add, attachment_remove
from .common import (
    ATTACHMENT_SUFFIXES,
    EDITABLE_STATES,
    ITEM_AUDIT,
    MAX_ATTACHMENT_BYTES,
    PLAN_AUDIT,
    can_decide,
    superior_of,
)
from .filing import plan_approve, plan_remind, plan_return, plan_snapshot, plan_submit
from .items import clean_item_fields, item_add, item_mark_done, item_remove, item_update
from .plans import plan_create, plan_update

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "EDITABLE_STATES",
    "ITEM_AUDIT",
    "MAX_ATTACHMENT_BYTES",
    "PLAN_AUDIT",
    "attachment_add",
    "attachment_remove",
    "can_decide",
    "clean_item_fields",
    "item_add",
    "item_mark_done",
    "item_remove",
    "item_update",
    "plan_approve",
    "plan_create",
    "plan_remind",
    "plan_return",
    "plan_snapshot",
    "plan_submit",
    "plan_update",
    "superior_of",
]
