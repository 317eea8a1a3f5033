"""Audited exports: every file that lists members' hours is recorded as handed out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_above_labels

from ..documents import drilldown_workbook, ledger_workbook
from ..selectors.compliance import DrillFilters, attach_branch_paths, compliance_drilldown
from ..selectors.compliance.ledger import ledger_data


def ledger_export(
    *, actor: Actor, org: Organization | int, year: int
) -> tuple[bytes, Organization]:
    """The 台账 of `org`'s subtree for `year` as .xlsx; 404 outside the actor's scope.
    Audited ("hours.ledger_export")."""
    data = ledger_data(actor=actor, org=org, year=year)
    content = ledger_workbook(data, org_above_labels({mc.org_id for mc in data.rows}))
    audit_record(
        actor=actor,
        verb="hours.ledger_export",
        obj=data.org,
        org=data.org,
        after={"year": year, "rows": len(data.rows)},
    )
    return content, data.org


def compliance_drilldown_export(
    *,
    actor: Actor,
    org: Organization | int,
    year: int,
    as_of: dt.date | None = None,
    filters: DrillFilters | None = None,
) -> tuple[bytes, Organization]:
    """The members behind (or at risk) in `org`'s subtree as .xlsx, filtered as on the page;
    404 outside the actor's scope. Audited ("hours.drilldown_export") with the filters used."""
    data = compliance_drilldown(actor=actor, org=org, year=year, as_of=as_of, filters=filters)
    attach_branch_paths(data.rows)
    content = drilldown_workbook(data)
    audit_record(
        actor=actor,
        verb="hours.drilldown_export",
        obj=data.org,
        org=data.org,
        after={
            "year": year,
            "as_of": data.as_of.isoformat(),
            "rows": len(data.rows),
            "filters": asdict(filters or DrillFilters()),
        },
    )
    return content, data.org
