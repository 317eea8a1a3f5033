"""Audited exports: every file that lists members' hours is recorded as handed out."""

from __future__ import annotations

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..documents import ledger_workbook
from ..selectors.compliance.ledger import ledger_data


def ledger_export(
    *, actor: Actor, org: Organization | int, year: int
) -> tuple[bytes, Organization]:
    """The 台账 of `org`'s subtree for `year` as .xlsx; 404 outside the actor's scope.
    Audited ("hours.ledger_export")."""
    data = ledger_data(actor=actor, org=org, year=year)
    content = ledger_workbook(data)
    audit_record(
        actor=actor,
        verb="hours.ledger_export",
        obj=data.org,
        org=data.org,
        after={"year": year, "rows": len(data.rows)},
    )
    return content, data.org
