"""The files of training plans that leave the app, each download audited with what it held:
the plan document (.docx) and the superior's filings overview (.xlsx). The caller has checked
that the actor reads the plan or the org."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names

from ..documents import filings_workbook, plan_document
from ..models import TrainingPlan

if TYPE_CHECKING:  # the selectors import this package
    from ..selectors import FilingOverview


def plan_document_export(*, actor: Actor, plan: TrainingPlan) -> bytes:
    """The plan as filed, as .docx; audited ("plan.document_export") with its version and the
    number of items it listed."""
    content = plan_document(plan)
    audit_record(
        actor=actor,
        verb="plan.document_export",
        obj=plan,
        org=plan.org,
        after={"year": plan.year, "version": plan.version, "items": plan.items.count()},
    )
    return content


def filings_export(*, actor: Actor, overview: FilingOverview) -> bytes:
    """The filing state of each child org's plan (`overview`, from
    `selectors.filing_overview`), as .xlsx (its title names where the org sits, so same-named
    orgs' overviews differ); audited ("plan.filings_export") with the year, the number of orgs
    listed and the count per state."""
    org = overview.org
    attach_ancestor_names([org])
    content = filings_workbook(overview)
    audit_record(
        actor=actor,
        verb="plan.filings_export",
        obj=org,
        org=org,
        after={"year": overview.year, "rows": len(overview.rows), "states": overview.counts},
    )
    return content
