"""What hours contributes to the workbench (core.workbench): self-study filings to approve,
members behind (滞后) and this year's coverage for staff; the member's progress per rule and the
big 申报自学 button."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import (
    DANGER,
    BigButton,
    CardLine,
    Figure,
    MemberCard,
    Todo,
    percent,
)

from .selectors import STATUS_LABELS, member_compliance, pending_for
from .services.compliance import workbench_summaries

TONES = {"met": "success", "on_track": "success", "at_risk": "warning", "behind": "danger"}


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}".rstrip("0")


def staff_items(actor: Actor) -> list[Todo | Figure]:
    scope = scope_of(actor)
    manages = scope.platform or bool(scope.manage_paths)
    items: list[Todo | Figure] = []
    if manages:
        items.append(
            Todo(
                key="hours.pending",
                label=_("Self-study filings to approve"),
                count=pending_for(actor=actor).count(),
                url=reverse("hours:pending"),
                order=40,
            )
        )
    year = timezone.localdate().year
    summaries = workbench_summaries(actor=actor, year=year)
    if not summaries:
        return items
    behind = sum(s.behind for s in summaries)
    members = sum(s.members - s.exempt for s in summaries)
    covered = sum((s.coverage or Decimal(0)) * (s.members - s.exempt) for s in summaries)
    first = summaries[0]
    behind_url = f"{reverse('compliance:drilldown', args=[first.org_id])}?year={year}&status=behind"
    if manages:
        items.append(
            Todo(
                key="hours.behind",
                label=_("Members behind on study hours"),
                count=behind,
                url=behind_url,
                severity=DANGER,
                order=80,
            )
        )
    else:
        items.append(
            Figure(
                key="hours.behind", label=_("Behind"), value=str(behind), url=behind_url, order=30
            )
        )
    items.append(
        Figure(
            key="hours.coverage",
            label=_("Trained this year"),
            value=f"{percent(covered, members)}%" if members else "–",
            url=f"{reverse('compliance:org', args=[first.org_id])}?year={year}",
            order=20,
        )
    )
    return items


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    member_id = scope_of(actor).member_id
    if not member_id:
        return []
    year = timezone.localdate().year
    report = member_compliance(actor=actor, member=member_id, year=year)
    archive = reverse("compliance:member", args=[member_id])
    lines = []
    owed = []
    for result in report.results:
        label = str(STATUS_LABELS[result.status])
        if result.status == "exempt":
            lines.append(CardLine(text=result.name, note=label))
            continue
        lines.append(
            CardLine(
                text=result.name,
                url=archive,
                note=f"{_number(result.achieved)} / {_number(result.required)} · {label}",
                progress=percent(result.achieved, result.required) if result.required else 100,
                tone=TONES.get(result.status, ""),
            )
        )
        if result.gap > 0:
            owed.append(
                _("%(rule)s: %(gap)s more") % {"rule": result.name, "gap": _number(result.gap)}
            )
    if report.exempt:
        footer = _("You are exempt from the study-hour requirements.")
    elif owed:
        footer = _("Still owed this year: %(list)s.") % {"list": " · ".join(owed)}
    elif report.results:
        footer = _("Every requirement is met for this year.")
    else:
        footer = ""
    return [
        MemberCard(
            key="hours.progress",
            title=_("My study hours in %(year)s") % {"year": year},
            lines=tuple(lines),
            url=archive,
            empty=_("No study-hour requirement applies to you this year."),
            footer=footer,
            order=10,
        ),
        BigButton(
            key="hours.self_study",
            label=_("File self-study"),
            url=reverse("hours:self_study_new"),
            hint=_("Reading, online courses and other study of your own"),
            order=20,
        ),
    ]
