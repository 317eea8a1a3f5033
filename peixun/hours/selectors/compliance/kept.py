"""Kept compliance summaries (`ComplianceSnapshot`): reading a young one, and the codec between
an `OrgCompliance` and the snapshot's JSON. The figures are aggregates only; the rules are kept
by id and read again, so a kept summary whose rules have since been deleted is not used."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from peixun.core.typed_json import decode, encode
from peixun.orgs.models import Organization

from ...models import ComplianceSnapshot, Requirement
from .summary import OrgCompliance, OrgSummary


def keeps(members: int) -> bool:
    """Whether a summary counting `members` members is kept (and read from its copy)."""
    return settings.COMPLIANCE_MAX_AGE_SECONDS > 0 and members >= settings.COMPLIANCE_KEEP_MEMBERS


def _summary_to_json(summary: OrgSummary) -> dict[str, Any]:
    return dict(encode(asdict(summary)))


def _summary_from_json(data: dict[str, Any]) -> OrgSummary:
    fields = decode(data)
    # JSON keys are strings: the rule ids go back to ints.
    for name in ("per_rule", "rule_names"):
        fields[name] = {int(pk): value for pk, value in fields[name].items()}
    return OrgSummary(**fields)


def compliance_to_json(report: OrgCompliance) -> dict[str, Any]:
    """What a snapshot keeps of `report`: both summaries' figures and the rules' ids in order."""
    return {
        "summary": _summary_to_json(report.summary),
        "children": [_summary_to_json(child) for child in report.children],
        "rules": [rule.pk for rule in report.rules],
    }


def compliance_from_snapshot(snapshot: ComplianceSnapshot) -> OrgCompliance | None:
    """The summary kept in `snapshot`; None if one of its rules no longer exists."""
    data = snapshot.figures
    wanted: list[int] = data["rules"]
    found = Requirement.objects.filter(pk__in=wanted).select_related("org").in_bulk()
    if len(found) != len(wanted):
        return None
    return OrgCompliance(
        summary=_summary_from_json(data["summary"]),
        children=[_summary_from_json(child) for child in data["children"]],
        rules=[found[pk] for pk in wanted],
        year=snapshot.year,
        as_of=snapshot.as_of,
        computed_at=snapshot.computed_at,
    )


def _young(*, org: Organization, year: int, as_of: dt.date) -> QuerySet[ComplianceSnapshot]:
    young = timezone.now() - dt.timedelta(seconds=settings.COMPLIANCE_MAX_AGE_SECONDS)
    return ComplianceSnapshot.objects.filter(
        org=org, year=year, as_of=as_of, computed_at__gte=young
    )


def kept_compliance(*, org: Organization, year: int, as_of: dt.date) -> OrgCompliance | None:
    """The kept summary of `org`, `year`, `as_of` computed within the allowed age, if any (the
    caller has checked that the reader may read this org)."""
    if settings.COMPLIANCE_MAX_AGE_SECONDS <= 0:
        return None
    snapshot = _young(org=org, year=year, as_of=as_of).first()
    return None if snapshot is None else compliance_from_snapshot(snapshot)


def kept_summary(*, org: Organization, year: int, as_of: dt.date) -> OrgSummary | None:
    """The org's own line of its young kept summary, without reading its children's (a
    province's top org has thousands): what the workbench shows."""
    if settings.COMPLIANCE_MAX_AGE_SECONDS <= 0:
        return None
    found = _young(org=org, year=year, as_of=as_of).values_list("figures__summary", flat=True)
    summary = found.first()
    return None if summary is None else _summary_from_json(summary)
