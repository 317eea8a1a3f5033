"""Every write of dispatch (调训): places for units (名额), nominations and the organiser's decision,
named dispatch (点名调训), substitution (替换) and withdrawal (退训).

Who does what:
- the organiser (a manager of the class's org) allocates places to orgs below it, accepts or
  returns nominations, names members directly, substitutes and withdraws anyone;
- a unit (a manager of the quota's org: its org admin or branch secretary) nominates members of
  its own subtree within its places, resubmits a returned nomination and withdraws its own.

Invariants, checked under a lock on the class row so that two nominators cannot both take the
last place: a quota's live enrolments (nominated + accepted) never exceed its places; the class's
live enrolments never exceed its capacity; the places allocated never exceed the capacity; a
member holds at most one live place per class (also a partial unique constraint).

Audience policy (see `audience.py`): a unit may only nominate members who fit the audience; the
organiser may name anyone in its own subtree, and then the mismatch is returned as a warning.
A substitute must pass the same checks as the member they replace would today (a named place may
go to anyone in the organiser's subtree, a unit's place only to its audience members).

Changing who is accepted after the final roster was confirmed clears that confirmation (the
closing checklist then asks for it again), so a class is never closed on a stale roster.
"""

from .checks import (
    ENROLMENT_AUDIT,
    MAX_MEMBERS_PER_REQUEST,
    QUOTA_AUDIT,
    QUOTA_STATES,
    DispatchResult,
    live_count,
    quota_taken,
    require_organiser,
    require_published,
)
from .enrolments import (
    enrolment_accept,
    enrolment_name,
    enrolment_nominate,
    enrolment_resubmit,
    enrolment_return,
    enrolment_substitute,
    enrolment_withdraw,
    may_withdraw,
)
from .exports import (
    BATCH_FORMATS,
    CIRCULAR_FORMATS,
    MAX_ADDRESSEE,
    NOTICE_FORMATS,
    circular_export,
    circular_file_name,
    notice_export,
    notice_file_name,
    notices_export,
    roster_export,
)
from .places import quota_remove, quota_set

__all__ = [
    "CIRCULAR_FORMATS",
    "MAX_ADDRESSEE",
    "BATCH_FORMATS",
    "NOTICE_FORMATS",
    "circular_export",
    "circular_file_name",
    "notice_export",
    "notice_file_name",
    "notices_export",
    "roster_export",
    "DispatchResult",
    "ENROLMENT_AUDIT",
    "MAX_MEMBERS_PER_REQUEST",
    "QUOTA_AUDIT",
    "QUOTA_STATES",
    "enrolment_accept",
    "enrolment_name",
    "enrolment_nominate",
    "enrolment_resubmit",
    "enrolment_return",
    "enrolment_substitute",
    "enrolment_withdraw",
    "live_count",
    "may_withdraw",
    "quota_remove",
    "quota_set",
    "quota_taken",
    "require_organiser",
    "require_published",
]
