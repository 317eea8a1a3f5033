"""Keeping the compliance summaries of large orgs (`ComplianceSnapshot`): after a reader's page
judged a large org, and from the `hours.compliance_refresh` job. At a million members judging
the root takes minutes; its page reads the kept copy, which says when it was computed. A
snapshot holds aggregate figures only and changes nothing anyone recorded, so it is not
audited (as the dashboard's)."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_roots_for

from ..models import ComplianceSnapshot
from ..selectors.compliance import (
    OrgCompliance,
    OrgSummary,
    default_as_of,
    org_compliance,
    readable_org_or_404,
)
from ..selectors.compliance.kept import compliance_to_json, keeps, kept_compliance, kept_summary
from .warnings import SystemActor

# The workbench summarises at most this many tops of the actor's scope (a platform admin sees
# every tenant's root; each is a few queries or a kept copy, so the count stays bounded).
WORKBENCH_ROOTS = 3
# Kept summaries not refreshed for this long (their org no longer large, or gone) are dropped.
KEPT_FOR = dt.timedelta(days=7)


@transaction.atomic
def compliance_snapshot_store(*, report: OrgCompliance, seconds: float) -> bool:
    """Keep `report` as the snapshot of its org, year and as-of date if the org is large
    (`COMPLIANCE_KEEP_MEMBERS`); True if it was kept."""
    if not keeps(report.summary.members):
        return False
    ComplianceSnapshot.objects.update_or_create(
        org_id=report.summary.org_id,
        year=report.year,
        as_of=report.as_of,
        defaults={
            "computed_at": timezone.now(),
            "seconds": seconds,
            "members": report.summary.members,
            "figures": compliance_to_json(report),
        },
    )
    return True


def compliance_judge_and_keep(
    *, actor: Actor, org: Organization, year: int, as_of: dt.date
) -> tuple[OrgCompliance, bool]:
    """Judge the org's summary now (`org_compliance`) and keep it if the org is large; the
    summary, and whether it was kept. What a reader's page, the job and the benchmark run."""
    started = time.monotonic()
    report = org_compliance(actor=actor, org=org, year=year, as_of=as_of)
    return report, compliance_snapshot_store(report=report, seconds=time.monotonic() - started)


def org_compliance_read(
    *,
    actor: Actor,
    org: Organization | int,
    year: int,
    as_of: dt.date | None = None,
    fresh: bool = False,
) -> OrgCompliance:
    """The org's compliance summary as a reader sees it (`org_compliance`): for a large org, its
    kept copy while young enough (`computed_at` says when), else judged now and, if the org is
    large, kept. `fresh` always judges now. 404 as `org_compliance`."""
    found = readable_org_or_404(actor, org)
    as_of = as_of or default_as_of(year)
    if not fresh:
        kept = kept_compliance(org=found, year=year, as_of=as_of)
        if kept is not None:
            return kept
    report, _kept = compliance_judge_and_keep(actor=actor, org=found, year=year, as_of=as_of)
    return report


def workbench_summaries(*, actor: Actor, year: int) -> list[OrgSummary]:
    """The summary of each top org of the actor's scope for `year` (滞后 count, coverage), for
    the workbench: a kept copy for a large org, else a few queries whatever its size."""
    as_of = default_as_of(year)
    summaries = []
    for root in org_roots_for(actor=actor)[:WORKBENCH_ROOTS]:
        kept = kept_summary(org=root, year=year, as_of=as_of)
        if kept is None:  # no young copy: judged now (and kept if large), not looked up again
            kept = org_compliance_read(
                actor=actor, org=root, year=year, as_of=as_of, fresh=True
            ).summary
        summaries.append(kept)
    return summaries


def compliance_snapshots_refresh() -> str:
    """The job: judge again, as of today, this year's summary of every large tenant's top org and
    of every org whose summary is kept for this year, keeping the large ones; drop kept
    summaries not refreshed for a week. Nothing is judged when nothing is kept (max age 0)."""
    today = timezone.localdate()
    year, as_of = today.year, default_as_of(today.year)
    actor = SystemActor()
    orgs: dict[int, Organization] = {}
    if keeps(settings.COMPLIANCE_KEEP_MEMBERS):
        # A tenant with fewer people on its roll than a kept summary counts is never kept:
        # not judged here (its pages judge it live).
        for root in Organization.objects.get_root_nodes():
            people = Member.objects.filter(org__path__startswith=root.path).count()
            if keeps(people):
                orgs[root.pk] = root
        kept_ids = ComplianceSnapshot.objects.filter(year=year).values("org_id")
        orgs.update(Organization.objects.filter(pk__in=kept_ids).in_bulk())
    kept = 0
    for org in sorted(orgs.values(), key=lambda o: o.path):
        _report, stored = compliance_judge_and_keep(actor=actor, org=org, year=year, as_of=as_of)
        kept += stored
    stale = timezone.now() - KEPT_FOR
    dropped, _ = ComplianceSnapshot.objects.filter(computed_at__lt=stale).delete()
    return f"{len(orgs)} summaries judged, {kept} kept, {dropped} old ones dropped"
