"""The demo's smaller habits of study (issue 17 part 7), written through the orglife services:
two 青年理论学习小组 of young members from several branches, each with meetings this year
(attended and closed, so their members' hours include them) and one planned; 在职党员联系帮扶
离退休党员 pairs with their 送学上门 visits; and one 学习笔记抽查 round of the demo secretary's
unit with most of its sample checked, each with a photo of the notes.

Deterministic (a fixed seed; the sample's seed is recorded) and idempotent: nothing is written
when the tenant already has a study group."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from peixun.accounts.models import Grant, User
from peixun.core.scoping import Actor
from peixun.events.services import attendance_mark_many
from peixun.members.models import Member
from peixun.members.selectors import branches_on
from peixun.orglife.models import MeetingKind, NoteCheck, StudyGroup
from peixun.orglife.selectors import meeting_expected_member_ids
from peixun.orglife.services.groups import study_group_create, study_group_member_add
from peixun.orglife.services.meetings import meeting_close, meeting_record
from peixun.orglife.services.notechecks import note_check_record, note_round_create
from peixun.orglife.services.pairs import pair_create, pair_visit_record
from peixun.orgs.models import Organization

PARTY = (Member.Status.FULL, Member.Status.PROBATIONARY)
GROUP_TOPICS = [
    "读原著学原文：《习近平谈治国理政》第五卷",
    "青年干部座谈：学习贯彻党的二十届四中全会精神",
    "现场教学：走进红色教育基地",
    "专题研讨：以学促干建新功",
]


def fill_habits(tenant: Organization, *, seed: int = 2024) -> dict[str, int]:
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=tenant)
        .order_by("pk")
        .first()
    )
    if admin is None or StudyGroup.objects.filter(org__path__startswith=tenant.path).exists():
        return {}
    grant = (
        Grant.objects.filter(
            user__username="secretary", role=Grant.Role.SECRETARY, org__path__startswith=tenant.path
        )
        .select_related("org")
        .first()
    )
    rng = random.Random(seed)
    today = timezone.localdate()
    units = list(
        Organization.objects.get_children(tenant).filter(closed_on__isnull=True).order_by("path")
    )
    with transaction.atomic():
        groups = meetings = 0
        for unit in units[:2]:
            made = _group(admin, unit, today, rng)
            if made:
                groups += 1
                meetings += made
        pairs, visits = _pairs(admin, tenant, today)
        checks = 0
        if grant is not None and grant.org is not None:
            unit = Organization.objects.get_parent(grant.org) if grant.org.depth > 1 else grant.org
            checks = _note_checks(admin, unit or grant.org, today)
    return {
        "study_groups": groups,
        "group_meetings": meetings,
        "pairs": pairs,
        "pair_visits": visits,
        "note_checks": checks,
    }


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _group(admin: Actor, unit: Organization, today: dt.date, rng: random.Random) -> int:
    """A group of up to ten young Party members from the unit's branches, its meetings held
    every other month so far (attended, closed) and one planned next week."""
    young = list(
        Member.objects.filter(
            org__path__startswith=unit.path,
            org__kind=Organization.Kind.BRANCH,
            status__in=PARTY,
            birth_date__gte=dt.date(today.year - 40, 1, 1),
            exempt_reason="",
        )
        .exclude(employment=Member.Employment.RETIRED)
        .order_by("org__path", "pk")[:40]
    )
    if len({m.org_id for m in young}) < 2:
        return 0
    chosen = sorted(rng.sample(young, min(10, len(young))), key=lambda m: m.pk)
    group = study_group_create(
        actor=admin, org=unit, name=f"{unit.name}青年理论学习小组", leader=chosen[0]
    )
    joined = dt.date(today.year, 1, 2)
    for member in chosen[1:]:
        study_group_member_add(actor=admin, group=group, member=member, joined_on=joined)
    made = 0
    for month in range(2, today.month, 2):
        day = dt.date(today.year, month, 18)
        if day >= today:
            break
        meeting = meeting_record(
            actor=admin,
            org=unit,
            kind=MeetingKind.READING_CLASS,
            title=GROUP_TOPICS[made % len(GROUP_TOPICS)],
            starts_at=_at(day, 19),
            ends_at=_at(day, 21),
            place="青年之家",
            host=chosen[0].name,
            study_group=group,
        )
        expected = list(meeting_expected_member_ids(meeting.event))
        on_roll = branches_on(member_ids=expected, day=day)
        marks = {
            pk: ("present" if rng.random() < 0.85 else "absent") for pk in expected if pk in on_roll
        }
        if marks:
            attendance_mark_many(actor=admin, event=meeting.event, marks=marks)
        meeting_close(actor=admin, meeting=meeting)
        made += 1
    upcoming = today + dt.timedelta(days=7)
    meeting_record(
        actor=admin,
        org=unit,
        kind=MeetingKind.EXPERT_LECTURE,
        title="青年干部理论学习：专家辅导报告",
        starts_at=_at(upcoming, 19),
        ends_at=_at(upcoming, 21),
        place="青年之家",
        host=chosen[0].name,
        study_group=group,
        scheduled=True,
    )
    return made + 1


def _pairs(admin: Actor, tenant: Organization, today: dt.date) -> tuple[int, int]:
    """Up to four retired members of the first unit that has them, each paired with an
    in-service member of the same unit, with a visit each quarter so far (the first ones
    worth an hour)."""
    retired = (
        Member.objects.filter(
            org__path__startswith=tenant.path,
            status__in=PARTY,
            employment=Member.Employment.RETIRED,
        )
        .select_related("org")
        .order_by("org__path", "pk")
        .first()
    )
    if retired is None:
        return 0, 0
    step = Organization.steplen
    unit_path = retired.org.path[: 2 * step] if retired.org.depth > 2 else retired.org.path
    olds = list(
        Member.objects.filter(
            org__path__startswith=unit_path, status__in=PARTY, employment=Member.Employment.RETIRED
        ).order_by("pk")[:4]
    )
    helpers = list(
        Member.objects.filter(
            org__path__startswith=unit_path,
            status__in=PARTY,
            employment=Member.Employment.ON_DUTY,
            exempt_reason="",
        ).order_by("pk")[:4]
    )
    since = dt.date(today.year, 1, 5)
    pairs = visits = 0
    for old, helper in zip(olds, helpers, strict=False):
        pair = pair_create(actor=admin, helper=helper, retired=old, since=min(since, today))
        pairs += 1
        for quarter in range(1, (today.month - 1) // 3 + 2):
            day = dt.date(today.year, quarter * 3 - 2, 20)
            if day >= today or day < pair.since:
                continue
            pair_visit_record(
                actor=admin,
                pair=pair,
                visited_on=day,
                content="送学上门：学习党的创新理论，通报支部工作",
                hours="1" if quarter == 1 else "0.5",
            )
            visits += 1
    return pairs, visits


def _photo(text: str) -> SimpleUploadedFile:
    """A small picture standing in for a phone's photo of the notes."""
    image = Image.new("RGB", (320, 240), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for line in range(8):
        draw.line((20, 40 + line * 24, 300, 40 + line * 24), fill=(180, 190, 210), width=1)
    draw.text((24, 12), text, fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile("notes.jpg", buffer.getvalue(), content_type="image/jpeg")


def _note_checks(admin: Actor, unit: Organization, today: dt.date) -> int:
    """One round of the unit: two members of each branch (seed recorded), all but the last
    checked, most satisfactory, one excellent per branch."""
    check_round = note_round_create(
        actor=admin,
        org=unit,
        year=today.year,
        title=f"{today.year}年上半年学习笔记抽查",
        sample_count=2,
        seed=f"demo-{today.year}",
    )
    checks = list(NoteCheck.objects.filter(round=check_round).order_by("branch__path", "pk"))
    done = 0
    for index, check in enumerate(checks[:-1]):
        note_check_record(
            actor=admin,
            check=check,
            checked_on=today - dt.timedelta(days=3),
            checker="机关党委组织委员",
            result=NoteCheck.Result.EXCELLENT if index % 2 == 0 else NoteCheck.Result.PASSED,
            note="笔记完整，有心得体会" if index % 2 == 0 else "按要求记录",
            photo=_photo(f"notes {check.member_id}"),
        )
        done += 1
    return done
