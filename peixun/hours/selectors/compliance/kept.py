"""Kept compliance summaries (`ComplianceSnapshot`): reading a young one, and the codec between
an `OrgCompliance` and the snapshot's JSON. The figures are aggregates only; the rules are kept
by id and read again, so a kept summary whose rules have since been deleted is not used."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from peixun.orgs.models import Organization

from ...models import ComplianceSnapshot, Requirement
from .summary import OrgCompliance, OrgSummary


def keeps(members: int) -> bool:
    """Whether a summary counting `members` members is kept (and read from its copy)."""
    return settings.COMPLIANCE_MAX_AGE_SECONDS > 0 and members >= settings.COMPLIANCE_KEEP_MEMBERS


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _summary_to_json(summary: OrgSummary) -> dict[str, Any]:
    return {
        "org_id": summary.org_id,
        "org_name": summary.org_name,
        "members": summary.members,
        "exempt": summary.exempt,
        "coverage": _decimal(summary.coverage),
        "average_hours": _decimal(summary.average_hours),
        "behind": summary.behind,
        "at_risk": summary.at_risk,
        # JSON keys are strings: the rule ids go back to ints when read.
        "per_rule": {str(pk): counts for pk, counts in summary.per_rule.items()},
        "rule_names": {str(pk): name for pk, name in summary.rule_names.items()},
    }


def _summary_from_json(data: dict[str, Any]) -> OrgSummary:
    coverage, average = data["coverage"], data["average_hours"]
    return OrgSummary(
        org_id=data["org_id"],
        org_name=data["org_name"],
        members=data["members"],
        exempt=data["exempt"],
        coverage=None if coverage is None else Decimal(coverage),
        average_hours=None if average is None else Decimal(average),
        behind=data["behind"],
        at_risk=data["at_risk"],
        per_rule={int(pk): counts for pk, counts in data["per_rule"].items()},
        rule_names={int(pk): name for pk, name in data["rule_names"].items()},
    )


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
        seconds=snapshot.seconds,
    )


def kept_compliance(*, org: Organization, year: int, as_of: dt.date) -> OrgCompliance | None:
    """The kept summary of `org`, `year`, `as_of` computed within the allowed age, if any (the
    caller has checked that the reader may read this org)."""
    if settings.COMPLIANCE_MAX_AGE_SECONDS <= 0:
        return None
    young = timezone.now() - dt.timedelta(seconds=settings.COMPLIANCE_MAX_AGE_SECONDS)
    snapshot = (
        ComplianceSnapshot.objects.filter(org=org, year=year, as_of=as_of)
        .filter(computed_at__gte=young)
        .first()
    )
    return None if snapshot is None else compliance_from_snapshot(snapshot)
