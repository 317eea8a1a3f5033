"""The demo's organisational life this year, written through the meeting services.

For the branches of the demo secretary's unit, every required meeting of each month or quarter
that has passed (主题党日, 支委会, 党小组会 monthly; 支部党员大会, 党课 quarterly); a few branches
skip some months, so the regularity views have irregular branches to show. The demo branch's
meetings carry attendance (most members present) and are closed, so its members' hours include
them. The root's and each unit's 中心组学习 once a quarter, most with an observer from the org
above (列席旁听), and one 送学上门 visit in the demo branch.

Idempotent: nothing is written when the demo branch already has meetings.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.scoping import Actor
from peixun.events.services import attendance_mark_many
from peixun.members.models import Member
from peixun.members.selectors import branches_on
from peixun.orglife.models import Meeting, MeetingKind
from peixun.orglife.selectors import meeting_expected_member_ids
from peixun.orglife.services.meetings import meeting_close, meeting_record
from peixun.orglife.services.observers import observer_add
from peixun.orglife.services.visits import visit_record
from peixun.orgs.models import Organization

MONTHLY = [
    (MeetingKind.THEME_DAY, 5, "主题党日：{month}月集中学习"),
    (MeetingKind.COMMITTEE, 8, "{month}月支委会"),
    (MeetingKind.GROUP, 12, "{month}月党小组会"),
]
QUARTERLY = [
    (MeetingKind.BRANCH_ASSEMBLY, 20, "第{quarter}季度支部党员大会"),
    (MeetingKind.LECTURE, 25, "第{quarter}季度书记讲党课"),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _record(
    actor: Actor, org: Organization, kind: str, title: str, day: dt.date, host: str
) -> Meeting:
    return meeting_record(
        actor=actor,
        org=org,
        kind=kind,
        title=title,
        starts_at=_at(day, 14),
        ends_at=_at(day, 16),
        place="党员活动室",
        host=host,
        minutes=f"{title}。传达学习上级精神，交流讨论，部署下阶段工作。",
    )


def _branch_year(
    actor: Actor, branch: Organization, today: dt.date, skip: set[tuple[str, int]], host: str
) -> list[Meeting]:
    """The required meetings of `branch` in the months and quarters that have passed."""
    made: list[Meeting] = []
    for month in range(1, today.month + 1):
        for kind, day, title in MONTHLY:
            when = dt.date(today.year, month, day)
            if when >= today or (kind, month) in skip:
                continue
            made.append(_record(actor, branch, kind, title.format(month=month), when, host))
    for quarter in range(1, (today.month - 1) // 3 + 2):
        for kind, day, title in QUARTERLY:
            when = dt.date(today.year, quarter * 3 - 1, day)
            if when >= today or (kind, quarter) in skip:
                continue
            made.append(_record(actor, branch, kind, title.format(quarter=quarter), when, host))
    return made


def load_demo_orglife(root: Organization, *, seed: int = 2024) -> dict[str, int]:
    grant = (
        Grant.objects.filter(
            user__username="secretary", role=Grant.Role.SECRETARY, org__path__startswith=root.path
        )
        .select_related("user__member", "org")
        .first()
    )
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    if grant is None or grant.org is None or admin is None:
        return {}
    branch = grant.org
    if Meeting.objects.filter(event__org=branch).exists():
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    unit = Organization.objects.get_parent(branch) if branch.depth > 1 else None
    siblings = (
        list(
            Organization.objects.get_children(unit).filter(
                kind=Organization.Kind.BRANCH, closed_on__isnull=True
            )
        )
        if unit is not None
        else [branch]
    )
    host = grant.user.member.name if grant.user.member else "书记"
    with transaction.atomic():
        meetings = 0
        irregular = 0
        for index, org in enumerate(siblings):
            skip: set[tuple[str, int]] = set()
            # Every third branch other than the demo's misses a few meetings.
            if org != branch and index % 3 == 1 and today.month > 2:
                months = rng.sample(range(1, today.month), k=min(2, today.month - 1))
                skip = {(MeetingKind.THEME_DAY, m) for m in months} | {(MeetingKind.LECTURE, 1)}
                irregular += 1
            made = _branch_year(admin, org, today, skip, host if org == branch else "支部书记")
            meetings += len(made)
            if org == branch:
                attend_and_close(grant.user, made, rng)
        central = _central_groups(admin, root, today, rng)
        visits = _visit(grant.user, branch, today)
    return {"meetings": meetings + central, "irregular_branches": irregular, "visits": visits}


def attend_and_close(actor: Actor, meetings: list[Meeting], rng: random.Random) -> None:
    """Mark about nine in ten of those expected present, then close: a branch's meeting as held."""
    for meeting in meetings:
        expected = list(meeting_expected_member_ids(meeting.event))
        # Members who joined the branch after the meeting were not there (the ledger refuses them).
        day = timezone.localtime(meeting.event.starts_at).date()
        on_roll = branches_on(member_ids=expected, day=day)
        expected = [pk for pk in expected if pk in on_roll]
        marks = {pk: ("present" if rng.random() < 0.88 else "absent") for pk in expected}
        if marks:
            attendance_mark_many(actor=actor, event=meeting.event, marks=marks)
        meeting_close(actor=actor, meeting=meeting)


def _central_groups(actor: Actor, root: Organization, today: dt.date, rng: random.Random) -> int:
    """中心组学习 of the root and its units each quarter so far, most observed from above."""
    orgs = [root, *Organization.objects.get_children(root).filter(closed_on__isnull=True)[:6]]
    made = 0
    for org in orgs:
        for quarter in range(1, (today.month - 1) // 3 + 2):
            when = dt.date(today.year, quarter * 3 - 2, 15)
            if when >= today:
                continue
            meeting = _record(
                actor,
                org,
                MeetingKind.CENTRAL_GROUP,
                f"第{quarter}季度理论学习中心组集体学习",
                when,
                "党委书记",
            )
            made += 1
            parent = Organization.objects.get_parent(org) if org.depth > 1 else None
            if parent is not None and rng.random() < 0.8:
                observer_add(
                    actor=actor,
                    meeting=meeting,
                    name="县直机关工委督导组",
                    org=parent,
                    title="列席旁听",
                )
    return made


def _visit(actor: Actor, branch: Organization, today: dt.date) -> int:
    # An exempt member if the branch has one, else its eldest.
    members = Member.objects.filter(org=branch)
    member = members.exclude(exempt_reason="").first() or members.order_by("birth_date").first()
    if member is None:
        return 0
    visit_record(
        actor=actor,
        org=branch,
        member=member,
        visited_on=today - dt.timedelta(days=10),
        visitors="支部书记、组织委员",
        content="送学上门：学习党的二十届四中全会精神",
        hours="1",
    )
    return 1
