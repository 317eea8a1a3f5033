"""The demo's 党课 competition and 述学, written through the surveys services.

- the working committee (the root) ran this year's 最佳党课 评选: four entries (the demo member's
  among them, with an outline and a video link), three judges who scored every entry they may
  score on the built-in score sheet, awards (一等奖 to the demo member's lecture, 二等奖, 三等奖,
  优秀奖) and the recognition list published; a 微宣讲 competition is still open for entries;
- the demo branch held its 民主评议党员 this year; the demo member's 述学 was read and reviewed
  there, the secretary's is submitted and waiting, one more member's was returned to add to.

Members other than the demo logins act through stand-in accounts that cannot sign in
(username "demo-stand-in-<member id>", no usable password): a judge's sheet and an entrant's
entry name a user. Deterministic (the members are taken in path and id order, the scores are
fixed) and idempotent: nothing is written when the tenant already has a competition.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.demo.orglife import attend_and_close
from peixun.members.models import Member
from peixun.orglife.models import Meeting
from peixun.orglife.services.meetings import meeting_record
from peixun.orgs.models import Organization
from peixun.surveys.models import Contest, Question, QuestionKind
from peixun.surveys.services.contests import (
    contest_create,
    contest_publish,
    contest_start_judging,
    entry_award,
    entry_score,
    entry_submit,
)
from peixun.surveys.services.study_reports import (
    study_report_return,
    study_report_review,
    study_report_save,
)

PARTY = (Member.Status.FULL, Member.Status.PROBATIONARY)
# Each judge's ratings of the four items, entry by entry (judge × entry); fixed, so the
# demo's averages are the same on every run.
SCORES = [
    [[5, 5, 5, 4], [4, 4, 5, 4], [4, 4, 4, 3], [3, 4, 4, 4]],
    [[5, 4, 5, 5], [4, 5, 4, 4], [4, 3, 4, 4], [4, 3, 3, 4]],
    [[5, 5, 4, 5], [5, 4, 4, 4], [3, 4, 4, 4], [4, 4, 3, 3]],
]
AWARDS = ["first", "second", "third", "excellence"]
TITLES = [
    "深刻领悟“两个确立”的决定性意义",
    "弘扬伟大建党精神 走好新时代赶考路",
    "以案为鉴 筑牢拒腐防变思想防线",
    "基层党组织如何抓好“三会一课”",
]
REPORT = (
    "今年按照支部学习计划，系统学习了党的二十届三中全会精神、新修订的《中国共产党纪律处分条例》"
    "和习近平总书记关于党的建设的重要论述，参加集中学习{hours}，完成网络学习课程，"
    "撰写学习心得两篇。通过学习，进一步坚定了理想信念，增强了纪律意识，"
    "在本职工作中更加注重服务群众、担当作为。"
)


def _stand_in(member: Member) -> User:
    """The account a member without a demo login acts through; it cannot sign in."""
    user = User.objects.filter(member=member).order_by("pk").first()
    if user is not None:
        return user
    user = User(username=f"demo-stand-in-{member.pk}", member=member, first_name=member.name)
    user.set_unusable_password()
    user.save()
    return user


def _ratings(contest: Contest, values: list[int]) -> dict[int, Any]:
    items = list(
        Question.objects.filter(form=contest.form, kind=QuestionKind.RATING)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    return dict(zip(items, values, strict=False))


def _slot(today: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """A two-hour morning `days` ago, kept in this year and in the past."""
    day = max(today - dt.timedelta(days=days), today.replace(month=1, day=1))
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    if start + dt.timedelta(hours=2) > timezone.now():
        start = timezone.now() - dt.timedelta(hours=2, minutes=5)
    return start, start + dt.timedelta(hours=2)


def fill_contests(root: Organization) -> dict[str, int]:
    """Fill the tenant under `root` (see the module's docstring); counts for the log."""
    if Contest.objects.filter(org__path__startswith=root.path).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    member_user = User.objects.filter(username="member", member__isnull=False).first()
    secretary_user = User.objects.filter(username="secretary", member__isnull=False).first()
    if admin is None or member_user is None or secretary_user is None:
        return {}
    feature = member_user.member
    secretary = secretary_user.member
    assert feature is not None and secretary is not None
    branch = feature.org
    others = list(
        Member.objects.filter(org__path__startswith=root.path, status__in=PARTY)
        .exclude(org=branch)
        .order_by("org__path", "id")[:200]
    )
    # Entrants and judges from different branches: every 40th member of the sorted list.
    picked = others[::40][:5]
    if len(picked) < 5:
        return {}
    entrants, judges = [feature, *picked[:3]], [secretary, *picked[3:5]]
    today = timezone.localdate()
    year = today.year
    with transaction.atomic():
        contest = contest_create(
            actor=admin,
            org=root,
            kind="lecture",
            title=f"{year}年度“最佳党课”评选",
            year=year,
            rules=(
                "各基层党组织推荐一名党员讲授党课，提交讲稿或提纲、课件，可附授课视频链接。"
                "评委按评分表从内容和表现两方面打分，评出一、二、三等奖和优秀奖。"
            ),
            entry_deadline=today,
        )
        entries = []
        for n, entrant in enumerate(entrants):
            actor = member_user if entrant == feature else _stand_in(entrant)
            entries.append(
                entry_submit(
                    actor=actor,
                    contest=contest,
                    title=TITLES[n],
                    summary="一、学习背景\n二、主要内容\n三、结合实际谈体会",
                    video_url=f"https://video.example.cn/dangke/{year}/{n + 1}",
                )
            )
        contest_start_judging(actor=admin, contest=contest, judges=judges)
        contest.refresh_from_db()
        sheets = 0
        for j, judge in enumerate(judges):
            actor = secretary_user if judge == secretary else _stand_in(judge)
            for e, entry in enumerate(entries):
                if entry.member_id == judge.pk:
                    continue
                entry_score(
                    actor=actor,
                    contest=contest,
                    entry=entry,
                    answers=_ratings(contest, SCORES[j][e]),
                )
                sheets += 1
        for entry, award in zip(entries, AWARDS, strict=True):
            entry_award(actor=admin, entry=entry, award=award)
        contest_publish(actor=admin, contest=contest)
        contest_create(
            actor=admin,
            org=root,
            kind="talk",
            title=f"{year}年度理论微宣讲比赛",
            year=year,
            rules="每支部推荐一名党员，宣讲时长不超过10分钟。",
            entry_deadline=today + dt.timedelta(days=30),
        )

        # 述学评学 at the demo branch's democratic appraisal.
        starts, ends = _slot(today, 3)
        meeting: Meeting = meeting_record(
            actor=secretary_user,
            org=branch,
            kind="appraisal",
            title=f"{year}年度民主评议党员大会",
            starts_at=starts,
            ends_at=ends,
            place="党员活动室",
            host=secretary.name,
        )
        mine = study_report_save(
            actor=member_user, year=year, text=REPORT.format(hours="四十余学时"), submit=True
        )
        study_report_review(
            actor=secretary_user, report=mine, meeting=meeting, comment="学习扎实，体会深刻。"
        )
        study_report_save(
            actor=secretary_user, year=year, text=REPORT.format(hours="五十余学时"), submit=True
        )
        reports = 2
        third = (
            Member.objects.filter(org=branch, status__in=PARTY)
            .exclude(pk__in=[feature.pk, secretary.pk])
            .order_by("id")
            .first()
        )
        if third is not None:
            returned = study_report_save(
                actor=_stand_in(third), year=year, text=REPORT.format(hours="三十学时"), submit=True
            )
            study_report_return(
                actor=secretary_user, report=returned, reason="请补充学习体会和今后努力方向。"
            )
            reports += 1
        # Held three days ago, so closed like the branch's other meetings (its reviews stay linked).
        attend_and_close(secretary_user, [meeting], random.Random(year))
    return {
        "competitions": 2,
        "entries": len(entries),
        "score sheets": sheets,
        "study reports": reports,
    }
