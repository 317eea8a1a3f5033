"""Reads of the competitions: the list and a contest as the reader may see it; the entrant's own
entry; the organiser's entries with each one's average score and each judge's sheet total; a
judge's queue; and the published recognition list (awards only, never scores or a ranking)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from peixun.accounts.models import User
from peixun.core.scoping import Actor, can_manage_org, can_read_org, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import Answer, Award, Contest, Entry, Form, Invitation, Question, Response
from ..models.forms import Purpose

TWO_PLACES = Decimal("0.01")
AWARD_ORDER = {value: index for index, value in enumerate(Award.values)}


def contest_list(*, actor: Actor, year: int | None = None) -> QuerySet[Contest]:
    contests = Contest.objects.visible_to(actor).select_related("org")
    return contests.filter(year=year) if year else contests


def contest_get(*, actor: Actor, pk: int) -> Contest:
    found: Contest | None = (
        Contest.objects.visible_to(actor)
        .select_related("org", "form", "survey")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def contest_orgs(actor: Actor) -> QuerySet[Organization]:
    """Orgs the actor may run a competition for (the picker's candidates)."""
    return Organization.objects.manageable_by(actor)


def can_run(actor: Actor, contest: Contest) -> bool:
    return can_manage_org(actor, contest.org)


def can_read_entries(actor: Actor, contest: Contest) -> bool:
    """The organiser's staff (and those above) read every entry and the scores."""
    return can_read_org(actor, contest.org)


def is_judge(actor: Actor, contest: Contest) -> bool:
    member_id = scope_of(actor).member_id
    if not member_id or contest.survey_id is None:
        return False
    return Invitation.objects.filter(survey_id=contest.survey_id, member_id=member_id).exists()


def can_enter(actor: Actor, contest: Contest) -> bool:
    """Whether the actor is a member of the organising org's subtree (who may enter)."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return False
    return Member.objects.filter(pk=member_id, org__path__startswith=contest.org.path).exists()


def my_entry(*, actor: Actor, contest: Contest) -> Entry | None:
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    return Entry.objects.filter(contest=contest, member_id=member_id).first()


def contest_entries(*, actor: Actor, contest: Contest) -> list[Entry]:
    """Every entry, for the organiser's staff; a 404 for anyone else."""
    if not can_read_entries(actor, contest):
        raise Http404
    return list(
        Entry.objects.filter(contest=contest)
        .select_related("member", "org")
        .order_by("state", "org__path", "member__name", "id")
    )


def entry_get(*, actor: Actor, contest: Contest, pk: int) -> Entry:
    """An entry as its entrant, the organiser's staff or a judge of the contest may read it."""
    entry: Entry | None = (
        Entry.objects.filter(contest=contest, pk=pk).select_related("member", "org").first()
    )
    if entry is None:
        raise Http404
    own = scope_of(actor).member_id == entry.member_id
    judge = entry.state == Entry.State.SUBMITTED and is_judge(actor, contest)
    if not (own or judge or can_read_entries(actor, contest)):
        raise Http404
    return entry


@dataclass(frozen=True)
class QueueItem:
    entry: Entry
    scored: bool


def judge_queue(*, actor: Actor, contest: Contest) -> list[QueueItem]:
    """A judge's entries to score (standing ones, their own left out), each marked when they
    have scored it. Two queries."""
    if not is_judge(actor, contest):
        raise Http404
    member_id = scope_of(actor).member_id
    survey_id = contest.survey_id
    assert survey_id is not None  # a judge is invited on the contest's survey
    scored = set(
        Response.objects.filter(survey_id=survey_id, respondent_id=actor.pk).values_list(
            "subject_ref", flat=True
        )
    )
    entries = (
        Entry.objects.filter(contest=contest, state=Entry.State.SUBMITTED)
        .exclude(member_id=member_id)
        .select_related("org")
        .order_by("id")
    )
    return [QueueItem(entry=e, scored=e.subject_ref in scored) for e in entries]


@dataclass
class EntryResult:
    entry: Entry
    sheets: int = 0  # score sheets handed in
    average: Decimal | None = None  # the mean of the sheets' totals
    by_judge: dict[int, int] = field(default_factory=dict)  # judge's user id → sheet total


@dataclass(frozen=True)
class ContestResults:
    rows: list[EntryResult]
    judges: list[tuple[int, str]]  # (user id, name) of each judge who handed in a sheet


def _mean(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def contest_results(*, actor: Actor, contest: Contest) -> ContestResults:
    """Each standing entry with its judges' sheet totals (the sum of a sheet's ratings) and
    their mean, for the organiser's staff. The rows stay in the entries' order: the page is a
    working table, not a ranking. Three queries."""
    entries = [e for e in contest_entries(actor=actor, contest=contest) if e.state == "submitted"]
    rows = {e.subject_ref: EntryResult(entry=e) for e in entries}
    if contest.survey_id is not None:
        totals = (
            Answer.objects.filter(response__survey_id=contest.survey_id, rating__isnull=False)
            .values("response__subject_ref", "response__respondent_id")
            .annotate(total=Sum("rating"))
            .values_list("response__subject_ref", "response__respondent_id", "total")
            .order_by()
        )
        for ref, judge, total in totals:
            if ref in rows and judge is not None:
                rows[ref].by_judge[judge] = int(total or 0)
    judge_ids = sorted({j for row in rows.values() for j in row.by_judge})
    names = {
        pk: member_name or username
        for pk, member_name, username in User.objects.filter(pk__in=judge_ids).values_list(
            "pk", "member__name", "username"
        )
    }
    for row in rows.values():
        row.sheets = len(row.by_judge)
        row.average = _mean(sum(row.by_judge.values()), row.sheets)
    return ContestResults(
        rows=list(rows.values()),
        judges=[(j, names.get(j, "")) for j in judge_ids],
    )


@dataclass(frozen=True)
class JudgeProgress:
    name: str
    scored: int


def judging_progress(*, actor: Actor, contest: Contest) -> list[JudgeProgress]:
    """Each invited judge and how many entries they have scored (the organiser chases the rest)."""
    if not can_read_entries(actor, contest) or contest.survey_id is None:
        return []
    invited = list(
        Invitation.objects.filter(survey_id=contest.survey_id)
        .select_related("member")
        .order_by("member__name", "member_id")
    )
    counts = dict(
        Response.objects.filter(survey_id=contest.survey_id)
        .values("respondent__member_id")
        .annotate(n=Count("id"))
        .values_list("respondent__member_id", "n")
        .order_by()
    )
    return [JudgeProgress(name=i.member.name, scored=counts.get(i.member_id, 0)) for i in invited]


def judge_sheet(*, actor: Actor, contest: Contest, entry: Entry) -> dict[int, object]:
    """The actor's own earlier sheet for the entry, by question id (to fill the form again)."""
    response = Response.objects.filter(
        survey=contest.survey, respondent_id=actor.pk, subject_ref=entry.subject_ref
    ).first()
    if response is None:
        return {}
    sheet: dict[int, object] = {}
    for answer in response.answers.all():
        if answer.rating is not None:
            sheet[answer.question_id] = answer.rating
        elif answer.option_id is not None:
            sheet[answer.question_id] = answer.option_id
        else:
            sheet[answer.question_id] = answer.text
    return sheet


def entry_sheets(*, actor: Actor, contest: Contest, entry: Entry) -> list[tuple[str, list[Answer]]]:
    """Every judge's sheet for one entry, for the organiser's staff: (judge, answers)."""
    if not can_read_entries(actor, contest) or contest.survey_id is None:
        return []
    answers: dict[str, list[Answer]] = defaultdict(list)
    names: dict[str, str] = {}
    for answer in (
        Answer.objects.filter(
            response__survey_id=contest.survey_id, response__subject_ref=entry.subject_ref
        )
        .select_related("question", "option", "response__respondent__member")
        .order_by("response__respondent_id", "question__position", "question_id")
    ):
        key = str(answer.response_id)
        judge = answer.response.respondent
        names[key] = (
            (judge.member.name if judge.member_id else judge.username) if judge else ""  # type: ignore[union-attr]
        )
        answers[key].append(answer)
    return [(names[key], rows) for key, rows in answers.items()]


def recognition_list(*, actor: Actor, contest: Contest) -> list[Entry]:
    """The published list: awarded entries, by award then unit and name; no scores. Before
    publication only the organiser's staff see it (a preview)."""
    if contest.state != Contest.State.PUBLISHED and not can_read_entries(actor, contest):
        raise Http404
    entries = list(
        Entry.objects.filter(contest=contest, state=Entry.State.SUBMITTED)
        .exclude(award="")
        .select_related("member", "org")
    )
    entries.sort(key=lambda e: (AWARD_ORDER.get(e.award, 99), e.org.path, e.member.name, e.pk))
    return entries


def judging_questions(contest: Contest) -> list[Question]:
    """The judging form's questions in order (sections included), options prefetched."""
    if contest.form_id is None:
        return []
    return list(
        Question.objects.filter(form_id=contest.form_id)
        .prefetch_related("options")
        .order_by("position", "id")
    )


def judge_candidates(actor: Actor) -> QuerySet[Member]:
    """Members the organiser may invite to judge: the Party members they see."""
    return Member.objects.visible_to(actor).select_related("org").order_by("name", "id")


def judging_forms(actor: Actor) -> QuerySet[Form]:
    return Form.objects.visible_to(actor).filter(purpose=Purpose.JUDGING).order_by("-id")


def judges_by_ids(actor: Actor, ids: list[int]) -> list[Member]:
    """The judges named by id among the members the organiser may invite (others are ignored,
    and a list left empty is refused by the service)."""
    return list(judge_candidates(actor).filter(pk__in=ids))
