"""Papers: a fixed list of questions, or rules that draw N questions of a topic, type and
difficulty for each taker. The draw is reproducible: the same exam, member and attempt number
always give the same questions in the same order."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..logic import rule_matches
from ..models import Difficulty, Paper, PaperQuestion, Question, QuestionKind
from ..selectors import bank_for, paper_in_use, rules_shortfall

PAPER_AUDIT = ["org", "title", "mode", "rules", "points"]
DEFAULT_POINTS: dict[str, str] = {
    QuestionKind.SINGLE: "2",
    QuestionKind.MULTIPLE: "3",
    QuestionKind.JUDGE: "1",
    QuestionKind.BLANK: "2",
}
MAX_QUESTIONS = 200


def clean_points(raw: Any) -> dict[str, str]:
    points = {
        kind: str(Decimal(value).quantize(Decimal("0.1"))) for kind, value in DEFAULT_POINTS.items()
    }
    errors: dict[str, str] = {}
    for kind, value in (raw or {}).items():
        if kind not in QuestionKind.values:
            errors["points"] = _("Unknown type of question: %(kind)s.") % {"kind": kind}
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if (
            not number.is_finite()
            or number <= 0
            or number > 100
            or number != number.quantize(Decimal("0.1"))
        ):
            errors["points"] = _("Points are a number above 0 and at most 100, to one decimal.")
            continue
        points[kind] = str(number.quantize(Decimal("0.1")))
    if errors:
        raise ValidationError(errors)
    return points


def clean_rules(raw: Any) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"rules": _("Add at least one drawing rule.")})
    for number, rule in enumerate(raw, start=1):
        if not isinstance(rule, dict):
            raise ValidationError({"rules": _("Rule %(n)d is not understood.") % {"n": number}})
        kind = str(rule.get("kind") or "")
        topic = str(rule.get("topic") or "").strip()
        try:
            difficulty = int(rule.get("difficulty") or 0)
            count = int(rule.get("count") or 0)
        except (TypeError, ValueError):
            difficulty, count = -1, 0
        if kind not in QuestionKind.values:
            message = _("Rule %(n)d: choose the type of question.")
        elif difficulty not in (0, *Difficulty.values):
            message = _("Rule %(n)d: choose a difficulty, or any.")
        elif not 1 <= count <= MAX_QUESTIONS:
            message = _("Rule %(n)d: draw between 1 and 200 questions.")
        elif len(topic) > 50:
            message = _("Rule %(n)d: a topic has at most 50 characters.")
        else:
            rules.append({"topic": topic, "kind": kind, "difficulty": difficulty, "count": count})
            continue
        raise ValidationError({"rules": message % {"n": number}})
    if sum(r["count"] for r in rules) > MAX_QUESTIONS:
        raise ValidationError({"rules": _("A paper has at most 200 questions.")})
    return rules


@transaction.atomic
def paper_create(
    *,
    actor: Actor,
    org: Organization,
    title: str,
    mode: str,
    rules: Any = None,
    points: Any = None,
) -> Paper:
    require_manage(actor, org)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the paper a title.")
    elif len(title) > 200:
        errors["title"] = _("At most %(n)s characters.") % {"n": 200}
    if mode not in Paper.Mode.values:
        errors["mode"] = _("Choose fixed questions or drawing by rules.")
    if errors:
        raise ValidationError(errors)
    clean = clean_rules(rules) if mode == Paper.Mode.RULES else []
    if clean:
        shortfall = rules_shortfall(org, clean)
        if shortfall:
            raise ValidationError({"rules": " ".join(shortfall)})
    paper = Paper.objects.create(
        org=org,
        title=title,
        mode=mode,
        rules=clean,
        points=clean_points(points),
        created_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor, verb="exams.paper.create", obj=paper, org=org,
        after=snapshot(paper, PAPER_AUDIT),
    )  # fmt: skip
    return paper


def _require_not_in_use(paper: Paper) -> None:
    if paper_in_use(paper):
        raise ValidationError(
            {"paper": _("An exam using this paper has been published; copy the paper instead.")}
        )


@transaction.atomic
def paper_update(
    *, actor: Actor, paper: Paper, title: str, rules: Any = None, points: Any = None
) -> Paper:
    paper = Paper.objects.select_for_update().select_related("org").get(pk=paper.pk)
    require_manage(actor, paper.org)
    _require_not_in_use(paper)
    before = snapshot(paper, PAPER_AUDIT)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("Give the paper a title of at most 200 characters.")})
    paper.title = title
    if paper.mode == Paper.Mode.RULES:
        paper.rules = clean_rules(rules)
        shortfall = rules_shortfall(paper.org, paper.rules)
        if shortfall:
            raise ValidationError({"rules": " ".join(shortfall)})
    paper.points = clean_points(points)
    paper.save()
    # A fixed paper's questions take the new points of their type.
    for kind, value in paper.points.items():
        paper.rows.filter(question__kind=kind).update(points=Decimal(value))
    audit_record(
        actor=actor, verb="exams.paper.update", obj=paper, org=paper.org,
        before=before, after=snapshot(paper, PAPER_AUDIT),
    )  # fmt: skip
    return paper


@transaction.atomic
def paper_questions_add(*, actor: Actor, paper: Paper, question_ids: list[int]) -> int:
    """Add bank questions to a fixed paper, in the order given; those already in it are kept
    where they are. Returns how many were added."""
    paper = Paper.objects.select_for_update().select_related("org").get(pk=paper.pk)
    require_manage(actor, paper.org)
    _require_not_in_use(paper)
    if paper.mode != Paper.Mode.FIXED:
        raise ValidationError({"questions": _("This paper draws its questions by rules.")})
    wanted = list(dict.fromkeys(int(i) for i in question_ids))
    found = {q.pk: q for q in bank_for(paper.org).filter(pk__in=wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {"questions": _("Not in a bank this paper may use, or retired: %(ids)s.")
             % {"ids": ", ".join(str(i) for i in missing)}}
        )  # fmt: skip
    present = set(paper.rows.values_list("question_id", flat=True))
    new = [i for i in wanted if i not in present]
    if paper.rows.count() + len(new) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("A paper has at most 200 questions.")})
    start = (paper.rows.aggregate(top=Max("position"))["top"] or 0) + 1
    PaperQuestion.objects.bulk_create(
        PaperQuestion(
            paper=paper,
            question=found[qid],
            position=start + offset,
            points=Decimal(paper.points.get(found[qid].kind, DEFAULT_POINTS[found[qid].kind])),
        )
        for offset, qid in enumerate(new)
    )
    audit_record(
        actor=actor, verb="exams.paper.add", obj=paper, org=paper.org, after={"questions": new}
    )
    return len(new)


@transaction.atomic
def paper_question_remove(*, actor: Actor, paper: Paper, question_id: int) -> None:
    paper = Paper.objects.select_for_update().select_related("org").get(pk=paper.pk)
    require_manage(actor, paper.org)
    _require_not_in_use(paper)
    deleted, _rows = paper.rows.filter(question_id=question_id).delete()
    if not deleted:
        raise ValidationError({"questions": _("That question is not on the paper.")})
    audit_record(
        actor=actor, verb="exams.paper.remove", obj=paper, org=paper.org,
        before={"questions": [question_id]},
    )  # fmt: skip


def draw_rng(seed: str, member_id: int, number: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{member_id}:{number}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def draw_questions(
    paper: Paper, rng: random.Random, pool: list[Question] | None = None
) -> list[tuple[Question, Decimal]]:
    """The questions of one attempt with their points, in paper order (shuffling is the
    exam's). A rules paper draws from the bank in id order, so the same rng gives the same
    draw; `pool` lets a caller reuse the bank it already loaded."""
    if paper.mode == Paper.Mode.FIXED:
        rows = paper.rows.select_related("question").order_by("position", "id")
        return [(row.question, row.points) for row in rows]
    if pool is None:
        pool = list(bank_for(paper.org).order_by("id"))
    chosen: list[tuple[Question, Decimal]] = []
    taken: set[int] = set()
    for rule in paper.rules:
        candidates = [q for q in rule_matches(rule, pool) if q.pk not in taken]
        picked = rng.sample(candidates, min(rule["count"], len(candidates)))
        taken.update(q.pk for q in picked)
        points = Decimal(paper.points.get(rule["kind"], DEFAULT_POINTS[rule["kind"]]))
        chosen.extend((q, points) for q in picked)
    return chosen
