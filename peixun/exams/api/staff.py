"""The staff side of /api/v1/exams/: the bank (with the .xlsx import), papers, exams and their
results. A plain member gets 404 from the bank and papers; from the exams list, their own."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import Count, ErrorOut, Id, IdParam, Int, IntParam, OrgRef, Paged
from peixun.core.scoping import can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.selectors import org_field

from .. import selectors, services
from ..models import Attempt, Exam, Paper, Question
from ..services.imports import ImportRejected, ImportReport, questions_import

router = Router(tags=["exams"])


class QuestionOut(Schema):
    id: int
    org: OrgRef
    kind: str
    stem: str
    options: list[str]
    answer: Any
    topics: list[str]
    difficulty: int
    explanation: str
    source: str
    retired: bool

    @staticmethod
    def resolve_topics(obj: Question) -> list[str]:
        return obj.topic_list

    # The key and explanation only for those who manage the question's owner: staff below it
    # (who may themselves be candidates) use it in papers without seeing them.
    @staticmethod
    def resolve_answer(obj: Question, context: dict[str, Any]) -> Any:
        actor = getattr(context.get("request"), "user", None)
        return obj.answer if selectors.may_see_key(actor, obj) else None

    @staticmethod
    def resolve_explanation(obj: Question, context: dict[str, Any]) -> str:
        actor = getattr(context.get("request"), "user", None)
        return obj.explanation if selectors.may_see_key(actor, obj) else ""


class QuestionIn(Schema):
    org: Id
    kind: str
    stem: str
    options: list[str] = []
    answer: Any
    topics: list[str] | str = ""
    difficulty: Int = 2
    explanation: str = ""
    source: str = ""


class QuestionPatch(Schema):
    kind: str | None = None
    stem: str | None = None
    options: list[str] | None = None
    answer: Any = None
    topics: list[str] | str | None = None
    difficulty: Int | None = None
    explanation: str | None = None
    source: str | None = None


class RetireIn(Schema):
    retired: bool = True


def _staff(request: HttpRequest) -> None:
    selectors.require_staff(request.user)


@router.get("/bank/questions", response=list[QuestionOut])
@paginate(Paged)
def list_questions(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    difficulty: IntParam | None = None,
    topic: str = "",
    retired: bool = False,
) -> Any:
    """The bank questions the actor may use: their orgs', those above and those below."""
    _staff(request)
    return selectors.questions_search(
        request.user, text=q, kind=kind, difficulty=difficulty, topic=topic,
        include_retired=retired,
    ).order_by("-id")  # fmt: skip


@router.post("/bank/questions", response={201: QuestionOut})
def create_question(request: HttpRequest, payload: QuestionIn) -> Status[Any]:
    _staff(request)
    org = org_field(request.user, "org", payload.org)
    data = payload.dict(exclude={"org"})
    return Status(201, services.question_create(actor=request.user, org=org, data=data))


def _question(request: HttpRequest, question_id: int) -> Question:
    _staff(request)
    return get_visible_or_404(request.user, Question, question_id)


@router.get("/bank/questions/{int:question_id}", response=QuestionOut)
def get_question(request: HttpRequest, question_id: IdParam) -> Question:
    return _question(request, question_id)


@router.patch("/bank/questions/{int:question_id}", response=QuestionOut)
def update_question(request: HttpRequest, question_id: IdParam, payload: QuestionPatch) -> Question:
    question = _question(request, question_id)
    data: dict[str, Any] = {
        "kind": question.kind, "stem": question.stem, "options": question.options,
        "answer": question.answer, "topics": question.topics,
        "difficulty": question.difficulty, "explanation": question.explanation,
        "source": question.source,
    }  # fmt: skip
    data.update(payload.dict(exclude_unset=True))
    return services.question_update(actor=request.user, question=question, data=data)


@router.post("/bank/questions/{int:question_id}/retire", response=QuestionOut)
def retire_question(
    request: HttpRequest, question_id: IdParam, payload: RetireIn | None = None
) -> Question:
    question = _question(request, question_id)
    retired = payload.retired if payload is not None else True
    return services.question_retire(actor=request.user, question=question, retired=retired)


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    message: str


class DuplicateOut(Schema):
    row: int
    stem: str
    first_row: int | None


class BankImportOut(Schema):
    dry_run: bool
    rows: int
    to_create: int
    created: int
    errors: list[ProblemOut]
    duplicates: list[DuplicateOut]


@router.post("/bank/import", response={200: BankImportOut, 422: BankImportOut | ErrorOut})
def import_questions(
    request: HttpRequest,
    org: Form[IdParam],
    file: File[UploadedFile],
    dry_run: Form[bool] = True,
) -> Any:
    """Check (dry_run, the default) or import an .xlsx in the template's columns. A real import
    with any bad row answers 422 with every problem and stores nothing."""
    _staff(request)
    owner = org_field(request.user, "org", org)
    try:
        report: ImportReport = questions_import(
            actor=request.user, org=owner, upload=file, dry_run=dry_run
        )
    except ImportRejected as rejected:
        return Status(422, rejected.report)
    return report


class RowOut(Schema):
    question_id: int
    position: int
    points: Decimal


class PaperOut(Schema):
    id: int
    org: OrgRef
    title: str
    mode: str
    rules: list[dict[str, Any]]
    points: dict[str, str]
    rows: list[RowOut]

    @staticmethod
    def resolve_rows(obj: Paper) -> list[dict[str, Any]]:
        return [
            {"question_id": r.question_id, "position": r.position, "points": r.points}
            for r in obj.rows.all()
        ]


class PaperIn(Schema):
    org: Id
    title: str
    mode: str
    rules: list[dict[str, Any]] = []
    points: dict[str, Any] = {}


class PaperPatch(Schema):
    title: str | None = None
    rules: list[dict[str, Any]] | None = None
    points: dict[str, Any] | None = None


class QuestionIds(Schema):
    ids: list[Id]


@router.get("/papers", response=list[PaperOut])
@paginate(Paged)
def list_papers(request: HttpRequest, q: str = "") -> Any:
    _staff(request)
    return selectors.papers_search(request.user, q=q)


@router.post("/papers", response={201: PaperOut})
def create_paper(request: HttpRequest, payload: PaperIn) -> Status[Any]:
    _staff(request)
    org = org_field(request.user, "org", payload.org)
    paper = services.paper_create(
        actor=request.user, org=org, title=payload.title, mode=payload.mode,
        rules=payload.rules, points=payload.points,
    )  # fmt: skip
    return Status(201, paper)


def _paper(request: HttpRequest, paper_id: int) -> Paper:
    _staff(request)
    return get_visible_or_404(request.user, Paper, paper_id)


@router.get("/papers/{int:paper_id}", response=PaperOut)
def get_paper(request: HttpRequest, paper_id: IdParam) -> Paper:
    return _paper(request, paper_id)


@router.patch("/papers/{int:paper_id}", response=PaperOut)
def update_paper(request: HttpRequest, paper_id: IdParam, payload: PaperPatch) -> Paper:
    paper = _paper(request, paper_id)
    return services.paper_update(
        actor=request.user,
        paper=paper,
        title=payload.title if payload.title is not None else paper.title,
        rules=payload.rules if payload.rules is not None else paper.rules,
        points=payload.points if payload.points is not None else paper.points,
    )


@router.post("/papers/{int:paper_id}/questions", response=PaperOut)
def add_questions(request: HttpRequest, paper_id: IdParam, payload: QuestionIds) -> Paper:
    paper = _paper(request, paper_id)
    services.paper_questions_add(actor=request.user, paper=paper, question_ids=payload.ids)
    return paper


@router.delete("/papers/{int:paper_id}/questions/{int:question_id}", response=PaperOut)
def remove_question(request: HttpRequest, paper_id: IdParam, question_id: IdParam) -> Paper:
    paper = _paper(request, paper_id)
    services.paper_question_remove(actor=request.user, paper=paper, question_id=question_id)
    return paper


class ExamOut(Schema):
    id: int
    org: OrgRef
    title: str
    kind: str
    paper_id: int
    state: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: int
    attempts_allowed: int
    pass_percent: int
    shuffle_questions: bool
    shuffle_options: bool
    show_answers: str
    credit_hours: Decimal
    audience: str
    member_statuses: list[str]
    cadre_ranks: list[str]
    sample_count: int | None
    sample_percent: int | None
    seed: str
    leaderboard: bool
    published_at: dt.datetime | None
    finalised_at: dt.datetime | None

    @staticmethod
    def resolve_seed(obj: Exam, context: dict[str, Any]) -> str:
        # The seed decides the sample and every draw: only those who manage the exam see it.
        request = context.get("request")
        actor = getattr(request, "user", None)
        return obj.seed if can_manage_org(actor, obj.org) else ""


class ExamIn(Schema):
    org: Id
    title: str
    kind: str
    paper: Id
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: Count = 30
    attempts_allowed: Count = 1
    pass_percent: Count = 60
    shuffle_questions: bool = True
    shuffle_options: bool = True
    show_answers: str = Exam.ShowAnswers.AFTER_CLOSE
    credit_hours: Decimal | None = None
    audience: str = Exam.Audience.SUBTREE
    member_statuses: list[str] = []
    cadre_ranks: list[str] = []
    sample_count: Count | None = None
    sample_percent: Count | None = None
    leaderboard: bool = False


class ExamPatch(Schema):
    title: str | None = None
    kind: str | None = None
    paper: Id | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    time_limit_minutes: Count | None = None
    attempts_allowed: Count | None = None
    pass_percent: Count | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    show_answers: str | None = None
    credit_hours: Decimal | None = None
    audience: str | None = None
    member_statuses: list[str] | None = None
    cadre_ranks: list[str] | None = None
    sample_count: Count | None = None
    sample_percent: Count | None = None
    leaderboard: bool | None = None


class ExamPublishIn(Schema):
    seed: str = ""


class PublishOut(Schema):
    exam: ExamOut
    candidates: int


def _paper_field(request: HttpRequest, paper_id: int) -> Paper:
    paper = selectors.paper_visible(request.user, paper_id)
    if paper is None:
        raise ValidationError({"paper": _("No such paper in your scope.")})
    return paper


@router.get("/", response=list[ExamOut])
@paginate(Paged)
def list_exams(request: HttpRequest, kind: str = "", state: str = "") -> Any:
    """Staff: the exams of their orgs, those above (shared down) and below. A member: the exams
    they are a candidate of."""
    # As on "my tests": a cancelled exam drops out of a member's list (its page stays).
    hide_cancelled = not scope_of(request.user).is_staff_like
    return selectors.exam_list(request.user, kind=kind, state=state, hide_cancelled=hide_cancelled)


@router.post("/", response={201: ExamOut})
def create_exam(request: HttpRequest, payload: ExamIn) -> Status[Any]:
    _staff(request)
    org = org_field(request.user, "org", payload.org)
    data = payload.dict(exclude={"org"})
    data["paper"] = _paper_field(request, payload.paper)
    return Status(201, services.exam_create(actor=request.user, org=org, data=data))


def _exam(request: HttpRequest, exam_id: int, staff: bool = True) -> Exam:
    if staff:
        _staff(request)
    return get_visible_or_404(request.user, Exam, exam_id)


@router.get("/{int:exam_id}", response=ExamOut)
def get_exam(request: HttpRequest, exam_id: IdParam) -> Exam:
    return _exam(request, exam_id, staff=False)


@router.patch("/{int:exam_id}", response=ExamOut)
def update_exam(request: HttpRequest, exam_id: IdParam, payload: ExamPatch) -> Exam:
    exam = _exam(request, exam_id)
    data = payload.dict(exclude_unset=True)
    if "paper" in data:
        data["paper"] = _paper_field(request, data["paper"])
    return services.exam_update(actor=request.user, exam=exam, data=data)


@router.post("/{int:exam_id}/publish", response=PublishOut)
def publish_exam(
    request: HttpRequest, exam_id: IdParam, payload: ExamPublishIn | None = None
) -> dict[str, Any]:
    exam = _exam(request, exam_id)
    seed = payload.seed if payload is not None else ""
    count = services.exam_publish(actor=request.user, exam=exam, seed=seed)
    exam.refresh_from_db()
    return {"exam": exam, "candidates": count}


@router.post("/{int:exam_id}/cancel", response=ExamOut)
def cancel_exam(request: HttpRequest, exam_id: IdParam) -> Exam:
    return services.exam_cancel(actor=request.user, exam=_exam(request, exam_id))


class ExamRemindOut(Schema):
    told: int


@router.post("/{int:exam_id}/remind", response=ExamRemindOut)
def remind_exam(request: HttpRequest, exam_id: IdParam) -> dict[str, int]:
    """Remind the caller's non-takers (their branch, or their subtree) while the exam is open;
    once a day per member."""
    return {"told": services.exam_remind(actor=request.user, exam=_exam(request, exam_id))}


class FinaliseOut(Schema):
    expired: int
    passed: int
    credited: int
    skipped: int


@router.post("/{int:exam_id}/finalise", response=FinaliseOut)
def finalise_exam(request: HttpRequest, exam_id: IdParam) -> dict[str, int]:
    return services.exam_finalise(actor=request.user, exam=_exam(request, exam_id))


class BranchOut(Schema):
    org: OrgRef
    parent: str
    expected: int
    took: int
    passed: int
    participation: Decimal | None
    average: Decimal | None
    pass_rate: Decimal | None


class ResultsOut(Schema):
    rows: list[BranchOut]
    total: BranchOut


@router.get("/{int:exam_id}/results", response=ResultsOut)
def exam_results(request: HttpRequest, exam_id: IdParam) -> dict[str, Any]:
    """Per branch the caller can read: candidates, takers, pass count, participation, average
    percent and pass rate (each member's best attempt), and their total."""
    rows, total = selectors.branch_results(request.user, _exam(request, exam_id))
    return {"rows": rows, "total": total}


class NonTakerOut(Schema):
    member_id: int
    name: str
    org: OrgRef

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.member.name)


@router.get("/{int:exam_id}/non-takers", response=list[NonTakerOut])
@paginate(Paged)
def exam_non_takers(request: HttpRequest, exam_id: IdParam) -> Any:
    return selectors.non_takers(request.user, _exam(request, exam_id))


class ItemStatOut(Schema):
    question_id: int
    kind: str
    stem: str
    shown: int
    correct: int
    difficulty: Decimal | None
    discrimination: Decimal | None


@router.get("/{int:exam_id}/items", response=list[ItemStatOut])
def exam_items(request: HttpRequest, exam_id: IdParam) -> Any:
    """Per question over each taker's best attempt: the difficulty index p and the
    discrimination index D (top and bottom 27 %)."""
    return selectors.item_analysis(_exam(request, exam_id))


class LeaderOut(Schema):
    rank: int
    name: str
    percent: Decimal | None


@router.get("/{int:exam_id}/leaderboard", response=list[LeaderOut])
def exam_leaderboard(request: HttpRequest, exam_id: IdParam) -> list[dict[str, Any]]:
    """Only for a contest whose leaderboard is on (the tenant must allow it); 404 otherwise."""
    exam = _exam(request, exam_id, staff=False)
    if not exam.leaderboard:
        raise Http404
    return [
        {"rank": rank, "name": attempt.member_name, "percent": attempt.percent}  # type: ignore[attr-defined]
        for rank, attempt in selectors.leaderboard(exam)
    ]


class MyAttemptOut(Schema):
    id: int
    exam_id: int
    exam_title: str
    number: int
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None

    @staticmethod
    def resolve_exam_title(obj: Attempt) -> str:
        return obj.exam.title


@router.get("/attempts", response=list[MyAttemptOut])
@paginate(Paged)
def my_attempts(request: HttpRequest) -> Any:
    """The caller's own attempts, newest first (a member's history)."""
    return selectors.member_attempts(getattr(request.user, "member_id", None))
