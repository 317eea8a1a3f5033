"""What a member reads to answer a survey: the survey asked of them and its questions in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from peixun.core.scoping import Actor, scope_of

from ..models import Invitation, Option, Question, QuestionKind, Survey


@dataclass
class AskedQuestion:
    question: Question
    options: list[Option] = field(default_factory=list)
    items: list[AskedQuestion] = field(default_factory=list)  # a criterion's rated items
    # Filled by the page after a refused submission: the problem and what was given.
    error: str = ""
    given: list[str] = field(default_factory=list)

    @property
    def scale(self) -> list[int]:
        return list(range(1, self.question.scale_max + 1))


def invitation_for(*, actor: Actor, pk: int) -> Invitation:
    """The actor's own invitation to survey `pk` (a judge's sheets are not answered here);
    404 for anyone not asked, so a survey's existence is not confirmed to others."""
    member_id = scope_of(actor).member_id
    if not member_id:
        raise Http404
    found: Invitation | None = (
        Invitation.objects.filter(survey_id=pk, member_id=member_id)
        .exclude(survey__purpose="judging")
        .select_related("survey", "survey__org")
        .first()
    )
    if found is None:
        raise Http404
    return found


def asked_questions(survey: Survey) -> list[AskedQuestion]:
    """The form's questions as the page lays them out: each criterion with its items; two
    queries."""
    questions = list(Question.objects.filter(form_id=survey.form_id).order_by("position", "id"))
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(question__form_id=survey.form_id).order_by(
        "position", "id"
    ):
        options.setdefault(option.question_id, []).append(option)
    blocks: list[AskedQuestion] = []
    by_id: dict[int, AskedQuestion] = {}
    for q in questions:
        asked = AskedQuestion(q, options.get(q.pk, []))
        by_id[q.pk] = asked
        if q.parent_id and q.parent_id in by_id:
            by_id[q.parent_id].items.append(asked)
        else:
            blocks.append(asked)
    return blocks


def answerable(blocks: list[AskedQuestion]) -> list[Question]:
    """Every question that takes an answer, criteria left out."""
    out: list[Question] = []
    for block in blocks:
        if block.question.kind != QuestionKind.SECTION:
            out.append(block.question)
        out.extend(item.question for item in block.items)
    return out
