"""Every read of knowledge tests, scoped: the bank and papers an actor may use, the exams they
see, and the figures of an exam (per branch, per question, per member), all computed from the
attempts themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_manage_org, scope_of
from peixun.hours.models import CreditEntry
from peixun.hours.registry import ArchiveLine
from peixun.members.models import Member
from peixun.orgs.models import Organization, ancestor_paths
from peixun.orgs.selectors import attach_ancestor_names

from .logic import rule_matches
from .models import Answer, Attempt, Candidate, Exam, Paper, Question, QuestionKind

# Discrimination compares the top and the bottom 27 % of takers by score (Kelley's groups).
GROUP_SHARE = Decimal("0.27")


def require_staff(actor: Actor) -> None:
    if not scope_of(actor).is_staff_like:
        raise Http404


def managed_org_ids(actor: Actor) -> QuerySet[Organization, dict[str, Any]]:
    """The orgs whose questions the actor may change, and so read with their keys."""
    return Organization.objects.manageable_by(actor).values("pk")


def may_see_key(actor: Actor | None, question: Question) -> bool:
    return can_manage_org(actor, question.org)


def questions_visible(actor: Actor) -> QuerySet[Question]:
    return Question.objects.visible_to(actor).select_related("org")


def questions_search(
    actor: Actor,
    *,
    text: str = "",
    kind: str = "",
    difficulty: int | None = None,
    topic: str = "",
    include_retired: bool = False,
) -> QuerySet[Question]:
    rows = questions_visible(actor)
    if not include_retired:
        rows = rows.filter(retired=False)
    if text:
        rows = rows.filter(Q(stem__icontains=text) | Q(source__icontains=text))
    if kind:
        rows = rows.filter(kind=kind)
    if difficulty:
        rows = rows.filter(difficulty=difficulty)
    if topic:
        rows = rows.filter(topics__icontains=topic)
    return rows


def questions_export(actor: Actor, **search: Any) -> QuerySet[Question]:
    """The questions of the bank list (same filters) that may leave with their keys: only those
    of the orgs the actor manages (theirs and below)."""
    return (
        questions_search(actor, **search)
        .order_by("org__path", "id")
        .filter(org__in=managed_org_ids(actor))
    )


def bank_for(org: Organization) -> QuerySet[Question]:
    """The questions an org's papers may use: its own bank and the banks of every org above."""
    return Question.objects.filter(org__path__in=ancestor_paths(org.path), retired=False)


def paper_candidates(
    paper: Paper,
    *,
    text: str = "",
    kind: str = "",
    difficulty: int | None = None,
    topic: str = "",
) -> QuerySet[Question]:
    """Questions a fixed paper may still add: its org's usable bank, less those it holds."""
    rows = bank_for(paper.org).exclude(pk__in=paper.rows.values("question_id"))
    if text:
        rows = rows.filter(stem__icontains=text)
    if kind:
        rows = rows.filter(kind=kind)
    if difficulty:
        rows = rows.filter(difficulty=difficulty)
    if topic:
        rows = rows.filter(topics__icontains=topic)
    return rows.select_related("org").order_by("-id")


def papers_visible(actor: Actor) -> QuerySet[Paper]:
    return Paper.objects.visible_to(actor).select_related("org")


def paper_list(actor: Actor, *, q: str = "") -> QuerySet[Paper]:
    """Visible papers, newest first, each with `questions` (the rows of a fixed paper)."""
    rows = papers_visible(actor).annotate(questions=Count("rows")).order_by("-id")
    return rows.filter(title__icontains=q) if q else rows


def papers_search(actor: Actor, *, q: str = "") -> QuerySet[Paper]:
    """Visible papers, newest first, with their rows (the API's list)."""
    rows = papers_visible(actor).prefetch_related("rows").order_by("-id")
    return rows.filter(title__icontains=q) if q else rows


def paper_visible(actor: Actor, pk: int) -> Paper | None:
    return papers_visible(actor).filter(pk=pk).first()


def exams_visible(actor: Actor) -> QuerySet[Exam]:
    return Exam.objects.visible_to(actor).select_related("org", "paper")


def exam_list(
    actor: Actor, *, q: str = "", kind: str = "", state: str = "", hide_cancelled: bool = False
) -> QuerySet[Exam]:
    """Visible exams, latest opening first; `q` in the title, an unknown `kind` ignored."""
    exams = exams_visible(actor).order_by("-opens_at", "-id")
    if hide_cancelled:
        exams = exams.exclude(state=Exam.State.CANCELLED)
    if q:
        exams = exams.filter(title__icontains=q)
    if kind:
        exams = exams.filter(kind=kind)
    if state:
        exams = exams.filter(state=state)
    return exams


def exams_of_member(member_id: int) -> QuerySet[Exam]:
    return (
        Exam.objects.filter(candidates__member_id=member_id)
        .exclude(state__in=[Exam.State.DRAFT, Exam.State.CANCELLED])
        .select_related("org")
        .order_by("-opens_at")
    )


def is_candidate(exam: Exam, member_id: int) -> bool:
    return Candidate.objects.filter(exam=exam, member_id=member_id).exists()


def open_attempt(exam: Exam, member_id: int) -> Attempt | None:
    """The member's attempt at `exam` not yet handed in, if any."""
    return (
        Attempt.objects.filter(exam=exam, member_id=member_id, submitted_at__isnull=True)
        .select_related("exam")
        .first()
    )


def exam_attempts_of_member(exam: Exam, member_id: int) -> list[Attempt]:
    """The member's attempts at `exam`, last first."""
    return list(Attempt.objects.filter(exam=exam, member_id=member_id).order_by("-number"))


def answers_visible(exam: Exam, now: Any = None, attempts_used: int | None = None) -> bool:
    """Whether a taker who has submitted may see the key and explanations now. "After
    submitting" waits until the taker has no attempt left (or the exam has closed): the key of
    one attempt must not serve the next."""
    now = now or timezone.now()
    if exam.show_answers == Exam.ShowAnswers.AFTER_SUBMIT:
        used_up = attempts_used is None or attempts_used >= exam.attempts_allowed
        return used_up or now >= exam.closes_at
    if exam.show_answers == Exam.ShowAnswers.AFTER_CLOSE:
        return now >= exam.closes_at
    return False


def attempt_for_taker(attempt: Attempt) -> dict[str, Any]:
    """What the taker may see: no key while open; after submission, the key only when the
    exam shows answers by now."""
    answers = {a.question_id: a for a in attempt.answers.all()}
    now = timezone.now()
    review = None
    used = (
        Attempt.objects.filter(exam_id=attempt.exam_id, member_id=attempt.member_id).count()
        if attempt.submitted_at is not None
        else 0
    )
    if attempt.submitted_at is not None and answers_visible(attempt.exam, now, attempts_used=used):
        review = [
            {
                "q": item["q"],
                "key": item["key"],
                "correct": bool(answers.get(item["q"]) and answers[item["q"]].correct),
                "explanation": item.get("explanation", ""),
            }
            for item in attempt.items
        ]
    remaining = 0
    if attempt.submitted_at is None:
        remaining = max(0, int((attempt.deadline_at - now).total_seconds()))
    return {
        "id": attempt.pk,
        "exam": attempt.exam_id,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "remaining_seconds": remaining,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "items": [
            {k: item[k] for k in ("q", "kind", "stem", "options", "points")}
            for item in attempt.items
        ],
        # Only what the taker gave: the graded empty rows of unanswered questions are left out.
        "answers": {str(qid): a.response for qid, a in answers.items() if a.response is not None},
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "review": review,
    }


def best_attempts(exam: Exam) -> dict[int, Attempt]:
    """member id → their best submitted attempt (highest percent, then earliest)."""
    rows = Attempt.objects.filter(exam=exam, submitted_at__isnull=False).only(
        "id", "member_id", "org_id", "number", "score", "percent", "passed", "submitted_at",
        "max_score", "auto_submitted", "started_at",
    )  # fmt: skip
    best: dict[int, Attempt] = {}
    for attempt in rows.order_by("member_id", "-percent", "submitted_at"):
        best.setdefault(attempt.member_id, attempt)
    return best


@dataclass
class BranchResult:
    org: Organization
    # The org above the branch: branches are often named alike (第一党支部 in every unit).
    parent: str = ""
    expected: int = 0
    took: int = 0
    passed: int = 0
    total_percent: Decimal = Decimal(0)

    @property
    def participation(self) -> Decimal | None:
        return _share(self.took, self.expected)

    @property
    def pass_rate(self) -> Decimal | None:
        return _share(self.passed, self.took)

    @property
    def average(self) -> Decimal | None:
        return (self.total_percent / self.took).quantize(Decimal("0.1")) if self.took else None


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1")) if whole else None


def branch_results(actor: Actor, exam: Exam) -> tuple[list[BranchResult], BranchResult]:
    """Per branch the actor can read: candidates, takers, pass count and the average percent of
    each member's best attempt; plus the total of those rows. Counted in the database (one
    row per branch, one per taker), so a province-wide test stays a few queries."""
    expected = dict(
        Candidate.objects.filter(exam=exam)
        .visible_to(actor)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    best = (
        Attempt.objects.filter(exam=exam, submitted_at__isnull=False)
        .visible_to(actor)
        .values("member_id", "org_id")
        .annotate(best=Max("percent"))
        .values_list("org_id", "best")
    )
    orgs = Organization.objects.in_bulk(list(expected))
    attach_ancestor_names(list(orgs.values()))
    rows = {
        org_id: BranchResult(
            org=orgs[org_id],
            parent=(orgs[org_id].trail or [""])[-1],  # type: ignore[attr-defined]
            expected=n,
        )
        for org_id, n in expected.items()
    }
    for org_id, percent in best:
        row = rows.get(org_id)
        if row is None:
            continue
        row.took += 1
        row.passed += (percent or 0) >= exam.pass_percent
        row.total_percent += percent or Decimal(0)
    ordered = sorted(rows.values(), key=lambda r: r.org.path)
    total = BranchResult(org=exam.org)
    for row in ordered:
        total.expected += row.expected
        total.took += row.took
        total.passed += row.passed
        total.total_percent += row.total_percent
    return ordered, total


def non_takers(actor: Actor, exam: Exam) -> QuerySet[Candidate]:
    """Candidates the actor can read who have not submitted an attempt, branch by branch."""
    # NOT EXISTS rather than NOT IN: a county's test has candidates by the hundred thousand.
    took = Attempt.objects.filter(
        exam=exam, submitted_at__isnull=False, member_id=OuterRef("member_id")
    )
    return (
        Candidate.objects.filter(exam=exam)
        .visible_to(actor)
        .exclude(Exists(took))
        .select_related("org", "member")
        .order_by("org__path", "member__name", "member_id")
    )


@dataclass
class ItemResult:
    question_id: int
    kind: str
    stem: str
    shown: int = 0
    correct: int = 0
    difficulty: Decimal | None = None  # share answering right (higher is easier)
    discrimination: Decimal | None = None  # upper group's share right minus the lower group's

    @property
    def kind_label(self) -> str:
        return str(QuestionKind(self.kind).label) if self.kind in QuestionKind.values else ""


def item_analysis(exam: Exam) -> list[ItemResult]:
    """Per question, over each taker's best attempt: how often it was answered right (the
    classical difficulty index p) and how well it separates strong takers from weak ones
    (the discrimination index D over the top and bottom 27 %). Counted in the database from
    the graded answer rows (one per question shown, written at submission), so a test of
    100,000 takers never loads their papers."""
    best = sorted(best_attempts(exam).values(), key=lambda a: a.percent or Decimal(0), reverse=True)
    if not best:
        return []
    group = max(1, int(len(best) * GROUP_SHARE)) if len(best) >= 4 else 0
    everyone = _tally([a.pk for a in best])
    upper = _tally([a.pk for a in best[:group]]) if group else {}
    lower = _tally([a.pk for a in best[-group:]]) if group else {}
    questions = {
        pk: (kind, stem)
        for pk, kind, stem in Question.objects.filter(pk__in=list(everyone)).values_list(
            "pk", "kind", "stem"
        )
    }
    results = []
    for qid, (shown, right) in everyone.items():
        kind, stem = questions.get(qid, ("", ""))
        result = ItemResult(question_id=qid, kind=kind, stem=stem, shown=shown, correct=right)
        result.difficulty = _ratio(right, shown)
        up, low = upper.get(qid), lower.get(qid)
        if up and low and up[0] and low[0]:
            result.discrimination = (Decimal(up[1]) / up[0] - Decimal(low[1]) / low[0]).quantize(
                Decimal("0.01")
            )
        results.append(result)
    return sorted(results, key=lambda r: (r.difficulty or 0, r.question_id))


TALLY_CHUNK = 10_000  # under SQLite's limit of parameters per statement


def _tally(attempt_ids: list[int]) -> dict[int, tuple[int, int]]:
    """question id → (answer rows, rows graded right) over the given attempts."""
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(attempt_ids), TALLY_CHUNK):
        rows = (
            Answer.objects.filter(attempt_id__in=attempt_ids[start : start + TALLY_CHUNK])
            .values("question_id")
            .annotate(n=Count("id"), right=Count("id", filter=Q(correct=True)))
            .values_list("question_id", "n", "right")
        )
        for qid, n, right in rows:
            shown, hit = out.get(qid, (0, 0))
            out[qid] = (shown + n, hit + right)
    return out


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.01")) if whole else None


@dataclass
class ExamResults:
    """What the results 台账 shows (`documents.results_workbook`)."""

    branches: list[BranchResult]
    total: BranchResult
    candidates: list[Candidate]  # those the reader may see, branch by branch, by name
    best: dict[int, Attempt]  # member id → best submitted attempt
    attempts: dict[int, int]  # member id → attempts made
    items: list[ItemResult]


def exam_results(actor: Actor, exam: Exam) -> ExamResults:
    branches, total = branch_results(actor, exam)
    candidates = list(
        Candidate.objects.filter(exam=exam)
        .visible_to(actor)
        .select_related("org", "member")
        .order_by("org__path", "member__name")
    )
    attempts: dict[int, int] = {}
    for member_id in exam.attempts.values_list("member_id", flat=True):
        attempts[member_id] = attempts.get(member_id, 0) + 1
    return ExamResults(
        branches=branches,
        total=total,
        candidates=candidates,
        best=best_attempts(exam),
        attempts=attempts,
        items=item_analysis(exam),
    )


def leaderboard(exam: Exam, limit: int = 50) -> list[tuple[int, Attempt]]:
    """Ranked best attempts, only when the exam turned its leaderboard on (a contest whose
    tenant allows it); ties share a rank and faster completion does not break them."""
    if not exam.leaderboard:
        return []
    ranked = sorted(
        best_attempts(exam).values(), key=lambda a: a.percent or Decimal(0), reverse=True
    )[:limit]
    members = Member.objects.in_bulk([a.member_id for a in ranked])
    out: list[tuple[int, Attempt]] = []
    for position, attempt in enumerate(ranked, start=1):
        rank = out[-1][0] if out and out[-1][1].percent == attempt.percent else position
        attempt.member_name = members[attempt.member_id].name  # type: ignore[attr-defined]
        out.append((rank, attempt))
    return out


def member_attempts(member_id: int | None) -> QuerySet[Attempt]:
    """A member's attempts, newest first (none without a member)."""
    if not member_id:
        return Attempt.objects.none()
    return (
        Attempt.objects.filter(member_id=member_id).select_related("exam").order_by("-started_at")
    )


def member_history(member_id: int) -> list[Attempt]:
    return list(member_attempts(member_id))


def open_exams_for_member(member_id: int, on: Any, limit: int = 3) -> list[Exam]:
    """Published tests the member can still take on day `on` and that credit study hours when
    passed: open that day, an attempt left, not yet passed; closing soonest first."""
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
    day_end = day_start + dt.timedelta(days=1)
    exams = (
        exams_of_member(member_id)
        .filter(
            state=Exam.State.PUBLISHED, opens_at__lt=day_end, closes_at__gt=day_start,
            credit_hours__gt=0,
        )
        .exclude(
            pk__in=Attempt.objects.filter(member_id=member_id, passed=True).values("exam_id")
        )
        .annotate(mine=Count("attempts", filter=Q(attempts__member_id=member_id)))
        .order_by("closes_at", "id")
    )  # fmt: skip
    fitting: list[Exam] = [e for e in exams if e.mine < e.attempts_allowed]
    return fitting[:limit]


def paper_in_use(paper: Paper) -> bool:
    """Whether an exam beyond a draft uses the paper: from then on it is copied, not edited."""
    return paper.exams.exclude(state=Exam.State.DRAFT).exists()


def rules_shortfall(org: Organization, rules: list[dict[str, Any]]) -> list[str]:
    """The rules the bank can't fill, each said in words; empty when every draw can be made."""
    pool = list(bank_for(org).only("id", "kind", "difficulty", "topics"))
    taken: set[int] = set()
    problems = []
    for number, rule in enumerate(rules, start=1):
        found = [q for q in rule_matches(rule, pool) if q.pk not in taken]
        taken.update(q.pk for q in found[: rule["count"]])
        if len(found) < rule["count"]:
            problems.append(
                _("Rule %(n)d asks for %(want)d questions; the bank has %(have)d.")
                % {"n": number, "want": rule["count"], "have": len(found)}
            )
    return problems


def paper_problems(paper: Paper) -> list[str]:
    """Why an exam can't be published with this paper (empty when it can)."""
    if paper.mode == Paper.Mode.FIXED:
        if not paper.rows.exists():
            return [_("The paper has no questions.")]
        return []
    return rules_shortfall(paper.org, paper.rules)


def attempt_last_seq(attempt: Attempt) -> int:
    """The sequence number of the attempt's latest saved answer (0 before any), so the taking
    page can tell a stale save from a new one."""
    return attempt.answers.aggregate(last=Max("seq"))["last"] or 0


@dataclass(frozen=True)
class ToFinalise:
    count: int
    first_pk: int | None


def exams_to_finalise(actor: Actor, now: Any = None) -> ToFinalise:
    """Published exams of orgs the actor manages that have closed: waiting to be finalised
    (study hours credited to those who passed). One aggregate query."""
    now = now or timezone.now()
    found = (
        Exam.objects.manageable_by(actor)
        .filter(state=Exam.State.PUBLISHED, closes_at__lte=now)
        .aggregate(n=Count("pk"), first=Min("pk"))
    )
    return ToFinalise(found["n"], found["first"])


def archive_tests(member_id: int, first_year: int, last_year: int) -> list[ArchiveLine]:
    """The knowledge tests a member passed in the years (the 培训档案's section, registered
    with hours in `apps.py`): the passing attempt's date, the test, the hours the ledger stands
    at for it, the score. The best passed attempt of each test, in date order; two queries."""
    zone = timezone.get_current_timezone()
    first = dt.datetime(first_year, 1, 1, tzinfo=zone)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=zone)
    attempts = (
        Attempt.objects.filter(
            member_id=member_id,
            passed=True,
            submitted_at__gte=first,
            submitted_at__lt=end,
        )
        .select_related("exam")
        .order_by("exam_id", "-score", "submitted_at")
    )
    best: dict[int, Attempt] = {}
    for attempt in attempts:
        best.setdefault(attempt.exam_id, attempt)
    credited = dict(
        CreditEntry.objects.filter(
            member_id=member_id,
            reference__in=[f"exam:{pk}" for pk in best],
            state=CreditEntry.State.CONFIRMED,
        )
        .values("reference")
        .annotate(h=Sum("hours"))
        .values_list("reference", "h")
        .order_by()
    )
    lines = []
    for exam_id, attempt in best.items():
        hours = credited.get(f"exam:{exam_id}")
        assert attempt.submitted_at is not None
        lines.append(
            ArchiveLine(
                on=timezone.localdate(attempt.submitted_at),
                title=attempt.exam.title,
                hours=hours if hours and hours > 0 else None,
                outcome=_("Passed (%(score)s / %(max)s)")
                % {"score": attempt.score, "max": attempt.max_score},
                done=True,
            )
        )
    return sorted(lines, key=lambda line: (line.on, line.title))
