"""The files of training plans that leave the app, each download audited with what it held:
the plan's filing document (报备文件, .docx or PDF) and the superior's filings overview (.xlsx).
The caller has checked that the actor reads the plan or the org."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names

from ..documents import DOCUMENT_FORMATS, filings_workbook, plan_document
from ..models import TrainingPlan
from ..registry import citations_by_item
from .common import superior_of

if TYPE_CHECKING:  # the selectors import this package
    from ..selectors import FilingOverview


def plan_document_export(*, actor: Actor, plan: TrainingPlan, fmt: str = "docx") -> bytes:
    """The plan as filed, as .docx or PDF (`fmt`, one of `DOCUMENT_FORMATS`): addressed to the
    superior org, with the plan's attachments named in its 附件说明. Audited
    ("plan.document_export") with its version, the number of items it listed and the format."""
    if fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"unknown document format {fmt!r}")
    items = list(plan.items.select_related("responsible_org").order_by("position", "id"))
    attachments = list(plan.attachments.order_by("id").values_list("name", flat=True))
    with translation.override("zh-hans"):  # the citations' labels, as the document is Chinese
        citations = citations_by_item(item.pk for item in items)
    content = plan_document(
        plan,
        fmt,
        items=items,
        attachments=attachments,
        superior=superior_of(plan.org),
        citations=citations,
    )
    audit_record(
        actor=actor,
        verb="plan.document_export",
        obj=plan,
        org=plan.org,
        after={"year": plan.year, "version": plan.version, "items": len(items), "format": fmt},
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
