"""Training classes for the demo tenant, written through the same services a user would use.

Four classes, dated around today so that the pages always have something to show:

- closed: a four-day full-time special class (学习贯彻党的二十届四中全会精神专题培训班) that ended
  five days ago: places for the demo branch and several units, every nomination accepted, the
  attendance of eight sessions (mostly present; some late, a few absent or on leave, one
  trainee over the leave limit), roster and timetable confirmed, the class plan attached, and
  closed, so that its credits are on the ledger. Its absentees are the open make-ups; one of
  them is assigned to a session of the upcoming class.
- published and upcoming (集中轮训, in ten days): places allocated to units; the demo branch's
  secretary nominated the demo member (accepted), a second member (waiting for the organiser)
  and a third (returned with a reason); other units' nominations partly accepted, partly
  pending; the demo member has asked leave from its last session (the secretary decides).
- published by the demo branch itself: a Party lecture whose sign-in is open right after
  loading, so the secretary's projector page and the member's phone sign-in work at once.
- draft: a training for new branch secretaries, being planned.

QR sign-ins need a logged-in member, and only the demo's secretary and member have accounts:
they sign in by QR (at the historic time, with the code valid then); everyone else's attendance
is marked by the organiser, as from a paper 签到表. Leave from a past session is recorded the
same way, since a member can ask for leave only before a session ends.

Idempotent: nothing is written when the closed class already exists in the tenant.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event
from peixun.events.services import (
    attendance_mark,
    attendance_mark_many,
    attendance_signin,
    event_settings_for,
    leave_request,
)
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position
from peixun.training.models import ClassKind, Enrolment, Quota, Session, SessionType, TrainingClass
from peixun.training.selectors import close_is_late
from peixun.training.services.classes import class_create, class_publish, session_add
from peixun.training.services.closing import (
    class_close,
    class_plan_attach,
    class_roster_confirm,
    class_timetable_confirm,
)
from peixun.training.services.dispatch import (
    enrolment_accept,
    enrolment_name,
    enrolment_nominate,
    enrolment_return,
    quota_set,
)
from peixun.training.services.makeup import makeup_assign

CLOSED_TITLE = "学习贯彻党的二十届四中全会精神专题培训班"
UPCOMING_TITLE = "县直机关党员集中轮训班"
LECTURE_TITLE = "专题党课：深入学习贯彻党的二十届四中全会精神"
DRAFT_TITLE = "新任党支部书记任职培训班"
VENUE = "县委党校"
TEACHER = "县委党校教研室"
RETURN_REASON = "该同志本年度已参加集中培训，请优先推荐今年尚未参加集中培训的党员。"
LEAVE_REASON = "单位有紧急工作任务，需赴外地督办，申请请假。"
LATE_NOTE = "演示数据：历史培训班补录结班。"
Status = Attendance.Status
T = Topic

# One session a line: day of the class, time, hours, session type, topic, title / teacher.
CLOSED_PLAN = """
0 09:00-12:00 3 lecture innovation_theory 开班式暨专题辅导：全会精神的丰富内涵 / 县委党校 王建国教授
0 14:30-17:30 3 lecture innovation_theory 专题讲座：“十五五”规划建议解读 / 县发改局 刘明远
1 09:00-12:00 3 field party_history 现场教学：县革命历史纪念馆 / 纪念馆讲解员
1 14:30-17:30 3 case integrity 案例分析：违反中央八项规定精神典型案例 / 县纪委监委 陈立
2 09:00-12:00 3 lecture constitution_rules 专题讲座：党章党规党纪 / 县委党校教研室
2 14:30-17:30 3 seminar innovation_theory 交流研讨：结合岗位谈学习体会 / 各组组长
3 09:00-12:00 3 lecture rule_of_law 专题讲座：法治政府建设 / 县司法局 赵敏
3 14:30-16:30 2 exam innovation_theory 结业测试暨结业式 / 县委党校教研室
"""
UPCOMING_PLAN = """
0 09:00-12:00 3 lecture party_history 党史专题：党的自我革命 / 县委党校 王建国教授
0 14:30-17:30 3 lecture innovation_theory 专题辅导：习近平新时代中国特色社会主义思想 / 县委党校教研室
1 09:00-12:00 3 field integrity 现场教学：廉政教育基地 / 基地讲解员
1 14:30-17:30 3 theme_day constitution_rules 主题党日：重温入党誓词 / 县直机关工委
2 09:00-11:30 2.5 seminar party_history 交流研讨与结业测试 / 各组组长
"""
DRAFT_PLAN = """
0 09:00-12:00 3 lecture constitution_rules 党支部工作条例解读 / 县委党校教研室
0 14:30-17:30 3 simulation professional “三会一课”规范化实务 / 县直机关工委组织部
1 09:00-12:00 3 lecture innovation_theory 党的创新理论专题 / 县委党校教研室
"""


@dataclass(frozen=True)
class SessionPlan:
    day: int
    start: dt.time
    end: dt.time
    hours: Decimal
    type: str
    topic: str
    title: str
    teacher: str


def parse_plan(text: str) -> list[SessionPlan]:
    plans = []
    for line in text.strip().splitlines():
        day, times, hours, kind, topic, rest = line.split(maxsplit=5)
        start, end = (dt.time.fromisoformat(t) for t in times.split("-"))
        title, _sep, teacher = rest.partition(" / ")
        plans.append(SessionPlan(int(day), start, end, Decimal(hours), kind, topic, title, teacher))
    return plans


@dataclass
class Cast:
    """Who acts in the demo: the organiser (org admin of the root), the demo branch, its
    secretary and member (users), and the units below the root."""

    root: Organization
    admin: User
    branch: Organization | None
    secretary: User | None
    member: User | None
    units: list[Organization]


def _cast(root: Organization) -> Cast | None:
    admins = User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
    # The demo's own "org_admin" login if it is there, else the first org admin of the root.
    admin = admins.filter(username="org_admin").first() or admins.order_by("pk").first()
    if admin is None:
        return None
    grant = (
        Grant.objects.filter(
            user__username="secretary", role=Grant.Role.SECRETARY, org__path__startswith=root.path
        )
        .select_related("user__member", "org")
        .first()
    )
    secretary = grant.user if grant and grant.user.member_id else None
    branch = grant.org if grant else None
    member = User.objects.filter(username="member", member__isnull=False).first()
    in_branch = (
        member is not None
        and member.member is not None
        and branch is not None
        and member.member.org.path.startswith(branch.path)
    )
    units = list(Organization.objects.get_children(root))
    return Cast(root, admin, branch, secretary, member if in_branch else None, units)


def _sessions(actor: User, training_class: TrainingClass, plan: str) -> list[Session]:
    sessions = []
    for p in parse_plan(plan):
        day = training_class.starts_on + dt.timedelta(days=p.day)
        sessions.append(
            session_add(
                actor=actor,
                training_class=training_class,
                title=p.title,
                starts_at=timezone.make_aware(dt.datetime.combine(day, p.start)),
                ends_at=timezone.make_aware(dt.datetime.combine(day, p.end)),
                hours=p.hours,
                topic=p.topic,
                type=p.type,
                teacher=p.teacher,
            )
        )
    return sessions


def _candidates(
    org: Organization, exclude: set[int], count: int, rng: random.Random
) -> list[Member]:
    """Full members on duty in `org`'s subtree, not exempt, none of `exclude`."""
    pool = list(
        Member.objects.filter(
            org__path__startswith=org.path,
            status=Member.Status.FULL,
            exempt_reason="",
            employment=Member.Employment.ON_DUTY,
        )
        .exclude(pk__in=exclude)
        .select_related("org")
        .order_by("pk")
    )
    return rng.sample(pool, min(count, len(pool)))


def _other_units(cast: Cast, count: int) -> list[Organization]:
    """Units that will get places: those not holding the demo branch, else any."""
    others = [u for u in cast.units if not (cast.branch and cast.branch.path.startswith(u.path))]
    return (others or cast.units)[:count]


def _plan_document(tc: TrainingClass, sessions: list[Session]) -> SimpleUploadedFile:
    """The class plan (培训方案) as a .docx, as an organiser would upload it."""
    doc = docx.Document()
    doc.add_heading(f"{tc.title}实施方案", level=1)
    doc.add_paragraph(
        f"为深入学习贯彻党的二十届四中全会精神，{tc.org.name}定于"
        f"{tc.starts_on:%Y年%m月%d日}至{tc.ends_on:%m月%d日}在{tc.venue}举办{tc.title}，"
        f"脱产学习{(tc.ends_on - tc.starts_on).days + 1}天。"
    )
    doc.add_paragraph("培训对象：各单位推荐的正式党员，按分配名额报名，经审核后参训。")
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["时间", "课程", "授课人", "学时"], strict=True):
        cell.text = text
    for session in sessions:
        row = table.add_row().cells
        row[0].text = f"{timezone.localtime(session.event.starts_at):%m月%d日 %H:%M}"
        row[1].text = session.event.title
        row[2].text = session.teacher
        row[3].text = f"{session.event.hours.normalize()}"
    doc.add_paragraph("考勤要求：严格执行签到制度，因故不能参加须书面请假，缺课须补训。")
    out = io.BytesIO()
    doc.save(out)
    return SimpleUploadedFile(
        "培训方案.docx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _qr_signin(user: User, event: Event, when: dt.datetime) -> None:
    """A QR sign-in at `when`, with the code the projector showed then."""
    rules = event_settings_for(event.org)
    token = signin_token(event, rules, now=when.timestamp())
    attendance_signin(actor=user, event=event, token=token, now=when)


def _closed_class(cast: Cast, today: dt.date, rng: random.Random) -> TrainingClass:
    admin, start = cast.admin, today - dt.timedelta(days=8)
    tc = class_create(
        actor=admin,
        org=cast.root,
        title=CLOSED_TITLE,
        kind=ClassKind.SPECIAL,
        full_time=True,
        starts_on=start,
        ends_on=start + dt.timedelta(days=3),
        venue=VENUE,
        description="以党的二十届四中全会精神为主要内容，采取专题辅导、现场教学、案例分析、交流研讨相结合的方式，"
        "引导党员把思想和行动统一到全会精神上来。",
        topic=T.INNOVATION_THEORY,
        audience_statuses=[Member.Status.FULL],
        capacity=60,
    )
    sessions = _sessions(admin, tc, CLOSED_PLAN)
    class_publish(actor=admin, training_class=tc)
    taken: set[int] = set()
    if cast.branch is not None:
        quota = quota_set(actor=admin, training_class=tc, org=cast.branch, places=3)
        demo = [u.member for u in (cast.member, cast.secretary) if u is not None and u.member]
        taken |= {m.pk for m in demo}
        nominees = demo + _candidates(cast.branch, taken, 3 - len(demo), rng)
        taken |= {m.pk for m in nominees}
        nominator = cast.secretary or admin
        enrolment_nominate(actor=nominator, training_class=tc, quota=quota, members=nominees)
    for unit in _other_units(cast, 5):
        quota = quota_set(actor=admin, training_class=tc, org=unit, places=10)
        nominees = _candidates(unit, taken, rng.randint(6, 9), rng)
        taken |= {m.pk for m in nominees}
        if nominees:
            enrolment_nominate(actor=admin, training_class=tc, quota=quota, members=nominees)
    for enrolment in Enrolment.objects.filter(training_class=tc).order_by("pk"):
        enrolment_accept(actor=admin, enrolment=enrolment)
    _closed_attendance(cast, tc, sessions, rng)
    class_roster_confirm(actor=admin, training_class=tc)
    class_timetable_confirm(actor=admin, training_class=tc)
    class_plan_attach(actor=admin, training_class=tc, file=_plan_document(tc, sessions))
    note = LATE_NOTE if close_is_late(tc) else ""
    return class_close(actor=admin, training_class=tc, late_note=note)


def _closed_attendance(
    cast: Cast, tc: TrainingClass, sessions: list[Session], rng: random.Random
) -> None:
    """Mostly present; some late, a few absent or on leave; one trainee on leave for two
    sessions (over 1/7 of the hours: flagged for withdrawal). The demo member and secretary
    sign in by QR; the secretary was on leave for one afternoon (an open make-up)."""
    admin = cast.admin
    trainees = list(
        Enrolment.objects.accepted()
        .filter(training_class=tc)
        .select_related("member")
        .order_by("member_id")
    )
    by_qr = {u.member_id: u for u in (cast.member, cast.secretary) if u is not None}
    others = [e.member for e in trainees if e.member_id not in by_qr]
    rng.shuffle(others)
    # Whatever the dice say, each case is there: two leaves (over the limit), an absence (its
    # make-up is assigned later), a late arrival.
    fixed = {0: {2: Status.LEAVE, 3: Status.LEAVE}, 1: {5: Status.ABSENT}, 2: {0: Status.LATE}}
    fixed_for = {others[i].pk: plan for i, plan in fixed.items() if i < len(others)}
    for index, session in enumerate(sessions):
        event = session.event
        if cast.member is not None:
            late = index == 4
            minutes = 20 if late else -rng.randint(3, 25)
            _qr_signin(cast.member, event, event.starts_at + dt.timedelta(minutes=minutes))
        if cast.secretary is not None and cast.secretary.member is not None:
            if index == 3:
                attendance_mark(
                    actor=admin,
                    event=event,
                    member=cast.secretary.member,
                    status=Status.LEAVE,
                    note="参加县委专题会议，经批准请假",
                )
            else:
                when = event.starts_at - dt.timedelta(minutes=rng.randint(5, 20))
                _qr_signin(cast.secretary, event, when)
        marks: dict[int, str] = {}
        for member in others:
            marks[member.pk] = fixed_for.get(member.pk, {}).get(index) or _drawn(rng.random())
        if marks:
            attendance_mark_many(actor=admin, event=event, marks=marks, note="据纸质签到表录入")


def _drawn(roll: float) -> str:
    """Most present; 3 % absent, 2 % on leave, 7 % late."""
    if roll < 0.03:
        return Status.ABSENT
    if roll < 0.05:
        return Status.LEAVE
    return Status.LATE if roll < 0.12 else Status.PRESENT


def _upcoming_class(
    cast: Cast, today: dt.date, rng: random.Random, closed: TrainingClass
) -> TrainingClass:
    """Places for units; the demo secretary nominates the demo member (accepted), a member
    without concentrated training this year (pending) and one of the closed class's trainees
    (returned: the places go first to those not yet trained this year)."""
    admin = cast.admin
    start = today + dt.timedelta(days=10)
    tc = class_create(
        actor=admin,
        org=cast.root,
        title=UPCOMING_TITLE,
        kind=ClassKind.ROTATION,
        starts_on=start,
        ends_on=start + dt.timedelta(days=2),
        venue=VENUE,
        description="按照党员教育培训工作规划，分期分批对县直机关党员进行集中轮训。",
        topic=T.PARTY_HISTORY,
        audience_statuses=[Member.Status.FULL, Member.Status.PROBATIONARY],
        capacity=80,
    )
    _sessions(admin, tc, UPCOMING_PLAN)
    class_publish(actor=admin, training_class=tc)
    trained = set(
        Enrolment.objects.accepted()
        .filter(training_class=closed)
        .values_list("member_id", flat=True)
    )
    taken = set(trained)
    if cast.branch is not None:
        quota = quota_set(actor=admin, training_class=tc, org=cast.branch, places=4)
        first = [cast.member.member] if cast.member and cast.member.member else []
        fresh = _candidates(cast.branch, taken, 1, rng)
        demo_ids = {u.member_id for u in (cast.member, cast.secretary) if u and u.member_id}
        again = list(
            Member.objects.filter(org__path__startswith=cast.branch.path, pk__in=trained)
            .exclude(pk__in=demo_ids)
            .select_related("org")
            .order_by("pk")[:1]
        )
        nominees = first + fresh + again
        if nominees:
            result = enrolment_nominate(
                actor=cast.secretary or admin, training_class=tc, quota=quota, members=nominees
            )
            for enrolment in result.enrolments:
                if first and enrolment.member_id == first[0].pk:
                    enrolment_accept(actor=admin, enrolment=enrolment)
                elif again and enrolment.member_id == again[0].pk:
                    enrolment_return(actor=admin, enrolment=enrolment, reason=RETURN_REASON)
        taken |= {m.pk for m in nominees}
    for unit in _other_units(cast, 6):
        quota = quota_set(actor=admin, training_class=tc, org=unit, places=8)
        nominees = _candidates(unit, taken, rng.randint(3, 6), rng)
        taken |= {m.pk for m in nominees}
        if not nominees:
            continue
        result = enrolment_nominate(actor=admin, training_class=tc, quota=quota, members=nominees)
        for enrolment in result.enrolments[: len(nominees) // 2 + 1]:
            enrolment_accept(actor=admin, enrolment=enrolment)
    if cast.member is not None:
        last = Session.objects.filter(training_class=tc).order_by("-event__starts_at").first()
        if last is not None:
            leave_request(actor=cast.member, event=last.event, reason=LEAVE_REASON)
    return tc


def _assign_makeup(cast: Cast, closed: TrainingClass, upcoming: TrainingClass) -> int:
    """One absentee of the closed class, not a trainee of the upcoming class, makes the missed
    session up at the upcoming class's first session; the rest stay open on the make-up list."""
    enrolled = Enrolment.objects.active().filter(training_class=upcoming).values("member_id")
    missed = (
        Attendance.objects.filter(event__session__training_class=closed, status=Status.ABSENT)
        .exclude(member_id__in=enrolled)
        .select_related("event", "member")
        .order_by("event__starts_at", "member_id")
        .first()
    )
    target = Session.objects.filter(training_class=upcoming).order_by("event__starts_at").first()
    if missed is None or target is None:
        return 0
    makeup_assign(
        actor=cast.admin,
        member=missed.member,
        missed_event=missed.event,
        assigned_event=target.event,
    )
    return 1


def _branch_lecture(cast: Cast, now: dt.datetime) -> TrainingClass | None:
    """The demo branch's own Party lecture, starting within half an hour: sign-in is open as
    soon as the demo is loaded (it opens 30 minutes before the start)."""
    if cast.branch is None or cast.secretary is None or cast.secretary.member is None:
        return None
    teacher = cast.secretary.member.name
    step = 15 * 60
    start = dt.datetime.fromtimestamp(math.ceil(now.timestamp() / step) * step + step, tz=dt.UTC)
    end = start + dt.timedelta(hours=2)
    secretary = cast.secretary
    tc = class_create(
        actor=secretary,
        org=cast.branch,
        title=LECTURE_TITLE,
        kind=ClassKind.PARTY_SPIRIT,
        starts_on=timezone.localdate(start),
        ends_on=timezone.localdate(end),
        venue=f"{cast.branch.name}党员活动室",
        topic=T.INNOVATION_THEORY,
        capacity=60,
    )
    session_add(
        actor=secretary,
        training_class=tc,
        title="书记讲党课：把全会精神落实到岗位上",
        starts_at=start,
        ends_at=end,
        hours=Decimal(2),
        topic=T.INNOVATION_THEORY,
        type=SessionType.LECTURE,
        teacher=teacher,
    )
    class_publish(actor=secretary, training_class=tc)
    members = list(
        Member.objects.filter(
            org__path__startswith=cast.branch.path,
            status__in=[Member.Status.FULL, Member.Status.PROBATIONARY],
        )
        .select_related("org")
        .order_by("pk")
    )
    if members:
        enrolment_name(actor=secretary, training_class=tc, members=members)
    return tc


def _draft_class(cast: Cast, today: dt.date) -> TrainingClass:
    start = today + dt.timedelta(days=30)
    tc = class_create(
        actor=cast.admin,
        org=cast.root,
        title=DRAFT_TITLE,
        kind=ClassKind.SECRETARY,
        full_time=True,
        starts_on=start,
        ends_on=start + dt.timedelta(days=1),
        venue=VENUE,
        description="面向近两年新任的党支部书记，讲授党支部工作基本规范和方法。",
        topic=T.CONSTITUTION_RULES,
        audience_positions=[Position.Role.SECRETARY],
        capacity=40,
    )
    _sessions(cast.admin, tc, DRAFT_PLAN)
    return tc


def load_demo_training(root: Organization, *, seed: int = 2024) -> dict[str, int]:
    """The demo's classes (see the module's docstring); {} when they are already there or the
    tenant has no org admin to organise them."""
    if TrainingClass.objects.filter(org__path__startswith=root.path, title=CLOSED_TITLE).exists():
        return {}
    cast = _cast(root)
    if cast is None:
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        closed = _closed_class(cast, today, rng)
        upcoming = _upcoming_class(cast, today, rng, closed)
        assigned = _assign_makeup(cast, closed, upcoming)
        lecture = _branch_lecture(cast, timezone.now())
        _draft_class(cast, today)
    events = [s.event_id for s in Session.objects.filter(training_class=closed)]
    return {
        "classes": TrainingClass.objects.filter(org__path__startswith=root.path).count(),
        "trainees_of_the_closed_class": Enrolment.objects.accepted()
        .filter(training_class=closed)
        .count(),
        "attendance_rows": Attendance.objects.filter(event_id__in=events).count(),
        "places_allocated": Quota.objects.filter(training_class=upcoming).count(),
        "makeups_assigned": assigned,
        "branch_lecture": int(lecture is not None),
    }


def demo_training_summary(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())
