"""The hooks core offers to the apps above it (core imports no app).

accounts fills `grants_of` in `AccountsConfig.ready()`: the scope of an actor (`core.scoping`)
is computed from the grants accounts stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# The roles a grant carries (the values of accounts' `Grant.Role`); scoping reads them as strings.
PLATFORM_ADMIN = "platform_admin"
ORG_ADMIN = "org_admin"
SECRETARY = "secretary"
VIEWER = "viewer"
# The three-role separation (三员分立) beside the system's administrators: a security
# administrator (安全管理员) manages logins and grants and reads the trail; an auditor (审计员)
# reads the audit trail of their subtree and nothing else. Neither writes business data.
SECURITY_ADMIN = "security_admin"
AUDITOR = "auditor"

# function(user pk) -> the user's grants on open orgs as (role, org path) pairs; the path is None
# for a grant without an org (a platform admin's).
GrantsOf = Callable[[Any], Iterable[tuple[str, str | None]]]
_grants_of: list[GrantsOf] = []


def register_grants_of(function: GrantsOf) -> None:
    _grants_of[:] = [function]


def grants_of(user_pk: Any) -> Iterable[tuple[str, str | None]]:
    """The (role, org path) pairs of the user's grants."""
    if not _grants_of:
        # Loud rather than "no grants": everyone would silently lose their access.
        raise ImproperlyConfigured("peixun.accounts has not registered the grants reader.")
    return _grants_of[0](user_pk)
