"""Early warnings (预警): members at risk or behind are told privately, and each branch's
secretaries get one digest for their branch. Run daily by `manage.py run_warnings`.

Private by construction: a member's notice goes only to that member's own account; a branch
digest only to the users holding the secretary role on that branch. Names in a digest are in
name order, never sorted by hours — there is no ranking anywhere. Each message carries a
dedupe key of the day, so running the job twice on one day sends nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from peixun.accounts.models import Grant, User
from peixun.core.models import Notification
from peixun.core.notifications import notification_send
from peixun.core.scoping import Scope
from peixun.orgs.models import Organization

from ..selectors.compliance import MemberCompliance, member_table
from ..selectors.suggestions import upcoming_activities_for

WARN_STATUSES = ("at_risk", "behind")


class SystemActor:
    """The scheduled job reads the whole tenant; it writes nothing but private notifications."""

    pk = None
    id = None
    member_id = None
    is_authenticated = True
    is_superuser = True
    is_active = True
    username = "system"
    _peixun_scope = Scope(platform=True, roles=frozenset({Grant.Role.PLATFORM_ADMIN}))


@dataclass
class WarningReport:
    as_of: dt.date
    tenants: int = 0
    members_warned: int = 0  # at risk or behind, with or without an account
    members_notified: int = 0  # new notifications to members this run
    members_without_account: int = 0
    digests_sent: int = 0  # new digest notifications to secretaries this run
    branches: int = 0  # branches with someone at risk or behind
    branches_without_secretary: list[str] = field(default_factory=list)


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _link(name: str, *args: Any, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return reverse(fallback)


def _lagging(mc: MemberCompliance) -> list[Any]:
    return [r for r in mc.results if r.status in WARN_STATUSES]


def _member_message(mc: MemberCompliance, as_of: dt.date) -> tuple[str, str]:
    lines = [
        _("%(name)s, as of %(date)s your study hours are behind the pace of these rules:")
        % {"name": mc.name, "date": as_of.isoformat()}
    ]
    for r in _lagging(mc):
        lines.append(
            _("· %(rule)s: %(achieved)s done, %(due)s due by now, %(gap)s still owed this period")
            % {
                "rule": r.name,
                "achieved": _number(r.achieved),
                "due": _number(r.due_by_now),
                "gap": _number(r.gap),
            }
        )
    suggestions = upcoming_activities_for(mc.member_id, as_of)
    if suggestions:
        lines.append(_("Upcoming activities you can join:"))
        lines += [f"· {title} {url}" for title, url in suggestions]
    lines.append(_("Please talk to your branch secretary about making up the hours."))
    return _("Your study hours are behind"), "\n".join(lines)


def _digest_message(
    branch: Organization, lagging: list[MemberCompliance], as_of: dt.date
) -> tuple[str, str]:
    title = _("%(count)s members of %(branch)s are behind on study hours") % {
        "count": len(lagging),
        "branch": branch.name,
    }
    lines = [
        _("As of %(date)s, these members of your branch are at risk or behind:")
        % {"date": as_of.isoformat()}
    ]
    # Name order, never hours order: a digest is a to-do list, not a ranking.
    for mc in sorted(lagging, key=lambda m: (m.name, m.member_id)):
        gaps = "；".join(
            _("%(rule)s, %(gap)s owed") % {"rule": r.name, "gap": _number(r.gap)}
            for r in _lagging(mc)
        )
        lines.append(f"· {mc.name}：{gaps}")
    lines.append(_("This digest is for the branch secretaries only."))
    return title, "\n".join(lines)


def _branch_of(org_path: str, branches_by_path: dict[str, Organization]) -> Organization | None:
    """The branch an org belongs to: itself, or the nearest branch above a Party group."""
    step = Organization.steplen
    for end in range(len(org_path), 0, -step):
        found = branches_by_path.get(org_path[:end])
        if found is not None:
            return found
    return None


def warnings_run(
    *, as_of: dt.date, tenant: Organization | None = None, report: WarningReport | None = None
) -> WarningReport:
    """Find members at risk or behind in each tenant (or one) and notify them and their
    branches' secretaries, once per day."""
    report = report or WarningReport(as_of=as_of)
    roots = [tenant] if tenant is not None else list(Organization.objects.get_root_nodes())
    with translation.override(settings.LANGUAGE_CODE):
        for root in roots:
            if root.closed_on is not None:
                continue
            _run_tenant(root, as_of, report)
            report.tenants += 1
    return report


def _run_tenant(root: Organization, as_of: dt.date, report: WarningReport) -> None:
    actor = SystemActor()
    rows = member_table(actor=actor, org=root, year=as_of.year, as_of=as_of)
    # Those who left the tenant during the year are judged for their time, but not chased.
    lagging = [mc for mc in rows if not mc.exempt and mc.left_on is None and _lagging(mc)]
    if not lagging:
        return
    report.members_warned += len(lagging)
    day = as_of.isoformat()

    users = dict(
        User.objects.filter(
            member_id__in=[mc.member_id for mc in lagging], is_active=True
        ).values_list("member_id", "id")
    )
    user_rows = {u.pk: u for u in User.objects.filter(pk__in=users.values())}
    for mc in lagging:
        user_id = users.get(mc.member_id)
        if user_id is None:
            report.members_without_account += 1
            continue
        title, body = _member_message(mc, as_of)
        sent = notification_send(
            actor=None,  # the daily job, nobody's act
            recipients=[user_rows[user_id]],
            title=title,
            body=body,
            url=_link("compliance:member", mc.member_id, fallback="members:mine"),
            kind=Notification.Kind.HOURS_WARNING,
            dedupe_key=f"hours-warning:{mc.member_id}:{day}",
        )
        report.members_notified += len(sent)

    org_paths = dict(
        Organization.objects.filter(pk__in={mc.org_id for mc in lagging}).values_list("id", "path")
    )
    branches_by_path = {
        b.path: b
        for b in Organization.objects.filter(
            path__startswith=root.path, kind=Organization.Kind.BRANCH
        )
    }
    per_branch: dict[int, list[MemberCompliance]] = defaultdict(list)
    branch_rows: dict[int, Organization] = {}
    for mc in lagging:
        branch = _branch_of(org_paths.get(mc.org_id, ""), branches_by_path)
        if branch is not None:
            per_branch[branch.pk].append(mc)
            branch_rows[branch.pk] = branch
    report.branches += len(per_branch)
    secretaries: dict[int, list[User]] = defaultdict(list)
    for grant in Grant.objects.filter(
        role=Grant.Role.SECRETARY, org_id__in=list(per_branch), user__is_active=True
    ).select_related("user"):
        if grant.org_id is not None:
            secretaries[grant.org_id].append(grant.user)
    for branch_id, members in per_branch.items():
        branch = branch_rows[branch_id]
        recipients = secretaries.get(branch_id, [])
        if not recipients:
            report.branches_without_secretary.append(branch.name)
            continue
        title, body = _digest_message(branch, members, as_of)
        sent = notification_send(
            actor=None,  # the daily job, nobody's act
            recipients=recipients,
            title=title,
            body=body,
            url=_link("compliance:org", branch_id, fallback="hours:entries"),
            kind=Notification.Kind.BRANCH_DIGEST,
            dedupe_key=f"hours-digest:{branch_id}:{day}",
        )
        report.digests_sent += len(sent)
