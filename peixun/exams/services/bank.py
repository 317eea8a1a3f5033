"""The question bank: questions owned by an org, managed by its managers, used by every org
below it. Every field is checked at once and every problem reported together."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..logic import MAX_BLANK_LENGTH, OPTION_LETTERS, fingerprint, fold
from ..models import Difficulty, Question, QuestionKind

QUESTION_AUDIT = [
    "org", "kind", "stem", "options", "answer", "topics", "difficulty", "explanation", "source",
    "retired",
]  # fmt: skip
MAX_OPTIONS = 8
MAX_ACCEPTED = 10
TRUE_WORDS = {"对", "正确", "是", "√", "t", "true", "y", "yes"}
FALSE_WORDS = {"错", "错误", "否", "×", "x", "f", "false", "n", "no"}


def split_topics(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        parts = [str(p) for p in raw]
    else:
        text = str(raw or "")
        for sep in (",", "，", ";", "；", "/", "|", " "):
            text = text.replace(sep, "、")
        parts = text.split("、")
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen


def parse_answer(kind: str, raw: Any, option_count: int) -> Any:
    """The key from what a person writes: "B", "ACD", "对"/"错", or accepted texts split by |.
    Also takes the stored form (a list), as the API sends it."""
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if isinstance(raw, list):
            indices = raw
        else:
            letters = fold(str(raw or "")).upper()
            if not letters or any(ch not in OPTION_LETTERS for ch in letters):
                raise ValueError(_("Give the answer as option letters, such as B or ACD."))
            indices = [OPTION_LETTERS.index(ch) for ch in letters]
        if any(isinstance(i, bool) or not isinstance(i, int) for i in indices):
            raise ValueError(_("Give the answer as option letters, such as B or ACD."))
        indices = sorted(set(indices))
        if not indices or any(not 0 <= i < option_count for i in indices):
            raise ValueError(_("The answer names an option the question does not have."))
        if kind == QuestionKind.SINGLE and len(indices) != 1:
            raise ValueError(_("A single-choice question has exactly one right option."))
        if kind == QuestionKind.MULTIPLE and len(indices) < 2:
            raise ValueError(_("A multiple-choice question has at least two right options."))
        return indices
    if kind == QuestionKind.JUDGE:
        if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], bool):
            return raw
        if isinstance(raw, bool):
            return [raw]
        word = fold(str(raw or ""))
        if word in TRUE_WORDS or str(raw).strip() in TRUE_WORDS:
            return [True]
        if word in FALSE_WORDS or str(raw).strip() in FALSE_WORDS:
            return [False]
        raise ValueError(_("Answer a true-or-false question with 对 or 错."))
    accepted = raw if isinstance(raw, list) else str(raw or "").split("|")
    accepted = [str(a).strip() for a in accepted if str(a).strip()]
    if not accepted or not any(fold(a) for a in accepted):
        raise ValueError(_("Give at least one accepted answer."))
    if len(accepted) > MAX_ACCEPTED:
        raise ValueError(_("At most %(n)d accepted answers.") % {"n": MAX_ACCEPTED})
    if any(len(a) > MAX_BLANK_LENGTH for a in accepted):
        raise ValueError(_("An accepted answer is longer than %(n)d characters.") % {"n": 200})
    return accepted


def clean_question_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Every field checked at once; raises one ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose the type of question.")
    stem = str(data.get("stem") or "").strip()
    if not stem:
        errors["stem"] = _("Write the question.")
    elif len(stem) > 2000:
        errors["stem"] = _("At most %(n)s characters.") % {"n": 2000}
    options = [str(o).strip() for o in (data.get("options") or []) if str(o).strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            errors["options"] = _("A choice question needs at least two options.")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)d options.") % {"n": MAX_OPTIONS}
        elif any(len(o) > 500 for o in options):
            errors["options"] = _("An option is longer than %(n)s characters.") % {"n": 500}
        elif len({fold(o) for o in options}) != len(options):
            errors["options"] = _("Two options say the same thing.")
    else:
        options = []
    answer: Any = None
    if kind in QuestionKind.values and "options" not in errors:
        try:
            answer = parse_answer(kind, data.get("answer"), len(options))
        except ValueError as problem:
            errors["answer"] = str(problem)
    topics = split_topics(data.get("topics"))
    topics_text = "、".join(topics)
    if len(topics_text) > 200:
        errors["topics"] = _("At most %(n)s characters.") % {"n": 200}
    try:
        difficulty = int(data.get("difficulty") or Difficulty.MEDIUM)
    except (TypeError, ValueError):
        difficulty = 0
    if difficulty not in Difficulty.values:
        errors["difficulty"] = _("Choose easy, medium or hard.")
    explanation = str(data.get("explanation") or "").strip()
    if len(explanation) > 2000:
        errors["explanation"] = _("At most %(n)s characters.") % {"n": 2000}
    source = str(data.get("source") or "").strip()
    if len(source) > 200:
        errors["source"] = _("At most %(n)s characters.") % {"n": 200}
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "stem": stem,
        "options": options,
        "answer": answer,
        "topics": topics_text,
        "difficulty": difficulty,
        "explanation": explanation,
        "source": source,
        "fingerprint": fingerprint(kind, stem, options),
    }


def _require_unique(org: Organization, fp: str, exclude: int | None = None) -> None:
    same = Question.objects.filter(org=org, fingerprint=fp)
    if exclude:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"stem": _("The bank already has this question.")})


@transaction.atomic
def question_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> Question:
    require_manage(actor, org)
    clean = clean_question_fields(data)
    _require_unique(org, clean["fingerprint"])
    question = Question.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor, verb="exams.question.create", obj=question, org=org,
        after=snapshot(question, QUESTION_AUDIT),
    )  # fmt: skip
    return question


@transaction.atomic
def question_update(*, actor: Actor, question: Question, data: dict[str, Any]) -> Question:
    """Attempts already started keep the question as they were shown it."""
    question = Question.objects.select_for_update().select_related("org").get(pk=question.pk)
    require_manage(actor, question.org)
    before = snapshot(question, QUESTION_AUDIT)
    clean = clean_question_fields(data)
    _require_unique(question.org, clean["fingerprint"], exclude=question.pk)
    for name, value in clean.items():
        setattr(question, name, value)
    question.save()
    audit_record(
        actor=actor, verb="exams.question.update", obj=question, org=question.org,
        before=before, after=snapshot(question, QUESTION_AUDIT),
    )  # fmt: skip
    return question


@transaction.atomic
def question_retire(*, actor: Actor, question: Question, retired: bool = True) -> Question:
    """A retired question is drawn no more and can't be added to a paper; papers that hold it
    keep it (their exams may already have been taken)."""
    question = Question.objects.select_for_update().select_related("org").get(pk=question.pk)
    require_manage(actor, question.org)
    before = snapshot(question, ["retired"])
    question.retired = retired
    question.save(update_fields=["retired", "updated_at"])
    audit_record(
        actor=actor, verb="exams.question.retire", obj=question, org=question.org,
        before=before, after=snapshot(question, ["retired"]),
    )  # fmt: skip
    return question
