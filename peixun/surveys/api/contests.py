"""/api/v1/surveys/contests/: 党课 / 宣讲 competitions. Everyone who sees a contest reads it and,
once published, its recognition list (awards, never scores); a member of the organising
subtree enters (multipart, slides optional) and withdraws; the organiser starts judging with
judges, reads every entry and the results, gives awards and publishes; a judge reads their
queue and the judging form and sends a score sheet per entry.

Statuses as elsewhere in API v1: anonymous 401; a contest or entry the actor may not see 404;
a visible contest the actor may not run (a viewer, a member) 403; bad values 422 with the field
named, nothing stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from peixun.core.apiutils import Id, IdParam, OrgRef, Ref, Year, YearParam
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization

from ..models import Contest, Entry
from ..selectors import contests as selectors
from ..services import contests as services

router = Router()


class ContestOut(Schema):
    id: int
    org: OrgRef
    kind: str
    kind_label: str
    title: str
    year: Year
    rules: str
    state: str
    state_label: str
    entry_deadline: dt.date
    published_at: dt.datetime | None

    @staticmethod
    def resolve_kind_label(obj: Contest) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj: Contest) -> str:
        return str(obj.get_state_display())


class ContestIn(Schema):
    org: Id
    kind: str
    title: str
    year: Year
    entry_deadline: dt.date
    rules: str = ""


class ContestEditIn(Schema):
    kind: str
    title: str
    year: Year
    entry_deadline: dt.date
    rules: str = ""


class ContestEntryOut(Schema):
    id: int
    entrant: Ref
    unit: OrgRef
    title: str
    summary: str
    slides_name: str
    video_url: str
    state: str
    award: str
    award_label: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_entrant(obj: Entry) -> dict[str, Any]:
        return {"id": obj.member_id, "name": obj.member.name}

    @staticmethod
    def resolve_unit(obj: Entry) -> Organization:
        return obj.org

    @staticmethod
    def resolve_award(obj: Entry) -> str:
        # An award is known to the entrant once the list is published.
        return obj.award if obj.contest.state == Contest.State.PUBLISHED else ""

    @staticmethod
    def resolve_award_label(obj: Entry) -> str:
        shown = obj.contest.state == Contest.State.PUBLISHED and obj.award
        return str(obj.get_award_display()) if shown else ""


class ContestJudgesIn(Schema):
    judges: list[Id]


class ContestQuestionOut(Schema):
    id: int
    parent: int | None
    kind: str
    text: str
    required: bool
    scale_max: int
    options: list[Ref]


class ContestQueueOut(Schema):
    entry: Ref
    unit: OrgRef
    scored: bool


class ContestScoreIn(Schema):
    answers: dict[str, Any]


class ContestResultOut(Schema):
    entry: Ref
    entrant: Ref
    unit: OrgRef
    sheets: int
    average: Decimal | None
    by_judge: dict[str, int]
    award: str


class ContestResultsOut(Schema):
    judges: list[Ref]
    rows: list[ContestResultOut]


class ContestAwardIn(Schema):
    award: str


class ContestRecognitionOut(Schema):
    award: str
    award_label: str
    entrant: str
    unit: str
    title: str


def _contest(request: HttpRequest, pk: int) -> Contest:
    return selectors.contest_get(actor=request.user, pk=pk)


@router.get("/contests/", response=list[ContestOut])
def list_contests(request: HttpRequest, year: YearParam | None = None) -> Any:
    """The competitions the actor sees (their org's and those above; staff also below)."""
    return list(selectors.contest_list(actor=request.user, year=year)[:500])


@router.post("/contests/", response={201: ContestOut})
def create_contest(request: HttpRequest, payload: ContestIn) -> Status[Any]:
    """Open a competition for entries, judged on the built-in 党课 score sheet."""
    org = get_visible_or_404(request.user, Organization, payload.org)
    contest = services.contest_create(actor=request.user, **{**payload.dict(), "org": org})
    return Status(201, _contest(request, contest.pk))


@router.get("/contests/{int:contest_id}", response=ContestOut)
def get_contest(request: HttpRequest, contest_id: IdParam) -> Contest:
    return _contest(request, contest_id)


@router.put("/contests/{int:contest_id}", response=ContestOut)
def update_contest(request: HttpRequest, contest_id: IdParam, payload: ContestEditIn) -> Contest:
    """Correct a competition while it is open for entries (its organising org stays)."""
    contest = _contest(request, contest_id)
    services.contest_update(actor=request.user, contest=contest, **payload.dict())
    return _contest(request, contest_id)


@router.get("/contests/{int:contest_id}/entry", response=ContestEntryOut)
def my_entry(request: HttpRequest, contest_id: IdParam) -> Entry:
    """The actor's own entry, its state and (once published) its award."""
    contest = _contest(request, contest_id)
    entry = selectors.my_entry(actor=request.user, contest=contest)
    if entry is None:
        raise Http404
    return entry


@router.post("/contests/{int:contest_id}/entry", response=ContestEntryOut)
def submit_entry(
    request: HttpRequest,
    contest_id: IdParam,
    title: Form[str],
    summary: Form[str] = "",
    video_url: Form[str] = "",
    slides: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008
) -> Entry:
    """Enter (or correct one's entry) as multipart: `title`, `summary`, `video_url` (http or
    https) and `slides` (PDF, PowerPoint or Word, at most 50 MB)."""
    contest = _contest(request, contest_id)
    if not selectors.can_enter(request.user, contest):
        raise Http404
    services.entry_submit(
        actor=request.user,
        contest=contest,
        title=title,
        summary=summary,
        video_url=video_url,
        slides=slides,
    )
    return selectors.my_entry(actor=request.user, contest=contest)  # type: ignore[return-value]


@router.post("/contests/{int:contest_id}/entry/withdraw", response=ContestEntryOut)
def withdraw_entry(request: HttpRequest, contest_id: IdParam) -> Entry:
    contest = _contest(request, contest_id)
    entry = selectors.my_entry(actor=request.user, contest=contest)
    if entry is None:
        raise Http404
    return services.entry_withdraw(actor=request.user, entry=entry)


@router.get("/contests/{int:contest_id}/entries", response=list[ContestEntryOut])
def entries(request: HttpRequest, contest_id: IdParam) -> Any:
    """Every entry, for the organiser's staff."""
    contest = _contest(request, contest_id)
    return selectors.contest_entries(actor=request.user, contest=contest)


@router.post("/contests/{int:contest_id}/judging", response=ContestOut)
def start_judging(request: HttpRequest, contest_id: IdParam, payload: ContestJudgesIn) -> Contest:
    """Close entries and invite the judges (members' ids); while judging, add judges."""
    contest = _contest(request, contest_id)
    if not selectors.can_run(request.user, contest):
        raise PermissionDenied
    judges = selectors.judges_by_ids(request.user, payload.judges)
    if contest.state == Contest.State.OPEN:
        services.contest_start_judging(actor=request.user, contest=contest, judges=judges)
    else:
        services.contest_add_judges(actor=request.user, contest=contest, judges=judges)
    return _contest(request, contest_id)


@router.get("/contests/{int:contest_id}/form", response=list[ContestQuestionOut])
def judging_form(request: HttpRequest, contest_id: IdParam) -> list[dict[str, Any]]:
    """The judging form's questions (sections with their items) a score sheet answers."""
    contest = _contest(request, contest_id)
    return [
        {
            "id": q.pk,
            "parent": q.parent_id,
            "kind": q.kind,
            "text": q.text,
            "required": q.required,
            "scale_max": q.scale_max,
            "options": [{"id": o.pk, "name": o.text} for o in q.options.all()],
        }
        for q in selectors.judging_questions(contest)
    ]


@router.get("/contests/{int:contest_id}/judge", response=list[ContestQueueOut])
def queue(request: HttpRequest, contest_id: IdParam) -> list[dict[str, Any]]:
    """A judge's entries to score, each marked when scored."""
    contest = _contest(request, contest_id)
    return [
        {
            "entry": {"id": i.entry.pk, "name": i.entry.title},
            "unit": i.entry.org,
            "scored": i.scored,
        }
        for i in selectors.judge_queue(actor=request.user, contest=contest)
    ]


@router.post("/contests/{int:contest_id}/entries/{int:entry_id}/score", response={204: None})
def score(
    request: HttpRequest, contest_id: IdParam, entry_id: IdParam, payload: ContestScoreIn
) -> Status[None]:
    """A judge's score sheet for an entry: `answers` by question id (a rating, an option id, a
    list of option ids, or text); a later sheet replaces the judge's earlier one."""
    contest = _contest(request, contest_id)
    if not selectors.is_judge(request.user, contest):
        raise Http404
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=entry_id)
    services.entry_score(actor=request.user, contest=contest, entry=entry, answers=payload.answers)
    return Status(204, None)


@router.get("/contests/{int:contest_id}/results", response=ContestResultsOut)
def results(request: HttpRequest, contest_id: IdParam) -> dict[str, Any]:
    """For the organiser's staff: each entry's judges' sheet totals and their mean."""
    contest = _contest(request, contest_id)
    found = selectors.contest_results(actor=request.user, contest=contest)
    return {
        "judges": [{"id": pk, "name": name} for pk, name in found.judges],
        "rows": [
            {
                "entry": {"id": r.entry.pk, "name": r.entry.title},
                "entrant": {"id": r.entry.member_id, "name": r.entry.member.name},
                "unit": r.entry.org,
                "sheets": r.sheets,
                "average": r.average,
                "by_judge": {str(k): v for k, v in r.by_judge.items()},
                "award": r.entry.award,
            }
            for r in found.rows
        ],
    }


@router.post("/contests/{int:contest_id}/entries/{int:entry_id}/award", response={204: None})
def award(
    request: HttpRequest, contest_id: IdParam, entry_id: IdParam, payload: ContestAwardIn
) -> Status[None]:
    """Give an entry an award (first, second, third, excellence, recommended; "" for none)."""
    contest = _contest(request, contest_id)
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=entry_id)
    services.entry_award(actor=request.user, entry=entry, award=payload.award)
    return Status(204, None)


@router.post("/contests/{int:contest_id}/publish", response=ContestOut)
def publish(request: HttpRequest, contest_id: IdParam) -> Contest:
    contest = _contest(request, contest_id)
    services.contest_publish(actor=request.user, contest=contest)
    return _contest(request, contest_id)


@router.get("/contests/{int:contest_id}/recognition", response=list[ContestRecognitionOut])
def recognition(request: HttpRequest, contest_id: IdParam) -> list[dict[str, Any]]:
    """The published recognition list: award, entrant, unit and title; no scores."""
    contest = _contest(request, contest_id)
    return [
        {
            "award": e.award,
            "award_label": str(e.get_award_display()),
            "entrant": e.member.name,
            "unit": e.org.name,
            "title": e.title,
        }
        for e in selectors.recognition_list(actor=request.user, contest=contest)
    ]
