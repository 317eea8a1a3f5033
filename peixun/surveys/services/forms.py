"""Forms: written whole from a spec (a list of question dicts), so the form builder page, the API
and the built-in templates share one validation. A form is fixed once any survey of it has a
response: changing a question would change what earlier answers meant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.hours.models import Topic
from peixun.orgs.models import Organization

from ..models import Form, Option, Question, QuestionKind, Response
from ..models.forms import Purpose

MAX_QUESTIONS = 100
MAX_OPTIONS = 30
ANSWERED_KINDS = (
    QuestionKind.RATING,
    QuestionKind.CHOICE,
    QuestionKind.MULTIPLE,
    QuestionKind.TEXT,
)


def _clean_question(
    raw: Any, where: str, errors: list[str], *, in_section: bool
) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        errors.append(_("%(where)s: not a question.") % {"where": where})
        return None
    kind = str(raw.get("kind") or "")
    text = str(raw.get("text") or "").strip()
    if kind not in QuestionKind.values or (in_section and kind == QuestionKind.SECTION):
        errors.append(_("%(where)s: choose the kind of question.") % {"where": where})
        return None
    if not text or len(text) > 300:
        errors.append(_("%(where)s: give its text, at most 300 characters.") % {"where": where})
        return None
    clean: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "required": bool(raw.get("required", True)),
    }
    if kind == QuestionKind.RATING:
        try:
            scale = int(raw.get("scale_max") or 5)
        except (TypeError, ValueError):
            scale = 0
        if not 2 <= scale <= 10:
            errors.append(_("%(where)s: a rating runs to 2 … 10.") % {"where": where})
        clean["scale_max"] = scale
    if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
        options = raw.get("options") or []
        if not isinstance(options, Sequence) or isinstance(options, str) or len(options) < 2:
            errors.append(_("%(where)s: give at least two options.") % {"where": where})
            options = []
        if len(options) > MAX_OPTIONS:
            errors.append(
                _("%(where)s: at most %(n)s options.") % {"where": where, "n": MAX_OPTIONS}
            )
        clean_options = []
        for k, option in enumerate(options, start=1):
            item = option if isinstance(option, Mapping) else {"text": option}
            option_text = str(item.get("text") or "").strip()
            topic = str(item.get("topic") or "")
            if not option_text or len(option_text) > 200:
                errors.append(
                    _("%(where)s, option %(k)s: give its text, at most 200 characters.")
                    % {"where": where, "k": k}
                )
            if topic and topic not in Topic.values:
                errors.append(
                    _("%(where)s, option %(k)s: not a plan topic.") % {"where": where, "k": k}
                )
            clean_options.append({"text": option_text, "topic": topic})
        texts = [o["text"] for o in clean_options]
        if len(set(texts)) != len(texts):
            errors.append(_("%(where)s: two options read the same.") % {"where": where})
        clean["options"] = clean_options
    if kind == QuestionKind.SECTION:
        items = raw.get("items") or []
        if not isinstance(items, Sequence) or isinstance(items, str) or not items:
            errors.append(_("%(where)s: a criterion needs at least one item.") % {"where": where})
            items = []
        clean["items"] = [
            q
            for j, item in enumerate(items, start=1)
            if (
                q := _clean_question(
                    item,
                    _("%(where)s, item %(j)s") % {"where": where, "j": j},
                    errors,
                    in_section=True,
                )
            )
            is not None
        ]
    return clean


def clean_spec(spec: Any) -> list[dict[str, Any]]:
    """The spec checked whole; every problem reported together as one ValidationError."""
    errors: list[str] = []
    if not isinstance(spec, Sequence) or isinstance(spec, str) or not spec:
        raise ValidationError({"spec": _("Add at least one question.")})
    cleaned = [
        q
        for i, raw in enumerate(spec, start=1)
        if (q := _clean_question(raw, _("Question %(i)s") % {"i": i}, errors, in_section=False))
        is not None
    ]
    count = sum(1 + len(q.get("items", [])) for q in cleaned)
    if count > MAX_QUESTIONS:
        errors.append(_("At most %(n)s questions in a form.") % {"n": MAX_QUESTIONS})
    if cleaned and not any(q["kind"] in ANSWERED_KINDS or q.get("items") for q in cleaned):
        errors.append(_("Add at least one question that is answered."))
    if errors:
        raise ValidationError({"spec": errors})
    return cleaned


def question_problems(raw: Any, *, in_section: bool = False) -> list[str]:
    """What is wrong with one question on its own (a section's items apart), for the form
    builder to show beside it."""
    errors: list[str] = []
    _clean_question(raw, _("This question"), errors, in_section=in_section)
    return errors


def _write_questions(form: Form, spec: list[dict[str, Any]]) -> None:
    position = 0
    options: list[Option] = []

    def add(raw: dict[str, Any], parent: Question | None) -> Question:
        nonlocal position
        position += 1
        question = Question.objects.create(
            form=form,
            parent=parent,
            position=position,
            kind=raw["kind"],
            text=raw["text"],
            required=raw["required"],
            scale_max=raw.get("scale_max", 5),
        )
        options.extend(
            Option(question=question, position=k, text=o["text"], topic=o["topic"])
            for k, o in enumerate(raw.get("options", []), start=1)
        )
        return question

    for raw in spec:
        question = add(raw, None)
        for item in raw.get("items", []):
            add(item, question)
    Option.objects.bulk_create(options)


def _clean_head(purpose: str, title: str, description: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose what the form is for.")
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _("Give a title, at most 200 characters.")
    description = (description or "").strip()
    if len(description) > 2000:
        errors["description"] = _("At most %(n)s characters.") % {"n": 2000}
    if errors:
        raise ValidationError(errors)
    return title, description


@transaction.atomic
def form_create(
    *,
    actor: Actor | None,
    org: Organization,
    purpose: str,
    title: str,
    spec: Any,
    description: str = "",
) -> Form:
    if actor is not None:
        require_manage(actor, org)
    title, description = _clean_head(purpose, title, description)
    cleaned = clean_spec(spec)
    form = Form.objects.create(
        org=org,
        purpose=purpose,
        title=title,
        description=description,
        created_by_id=actor_id(actor),
    )
    _write_questions(form, cleaned)
    audit_record(actor=actor, verb="form.create", obj=form, org=org, after={"spec": cleaned})
    return form


def form_is_answered(form: Form) -> bool:
    return Response.objects.filter(survey__form=form).exists()


@transaction.atomic
def form_update(*, actor: Actor, form: Form, title: str, spec: Any, description: str = "") -> Form:
    form = Form.objects.select_for_update().get(pk=form.pk)
    require_manage(actor, form.org)
    if form_is_answered(form):
        raise ValidationError(_("This form has been answered; copy it to change its questions."))
    title, description = _clean_head(form.purpose, title, description)
    cleaned = clean_spec(spec)
    before = {"title": form.title, "spec": form_spec(form)}
    Question.objects.filter(form=form).delete()
    form.title, form.description = title, description
    form.save(update_fields=["title", "description"])
    _write_questions(form, cleaned)
    audit_record(
        actor=actor,
        verb="form.update",
        obj=form,
        org=form.org,
        before=before,
        after={"title": title, "spec": cleaned},
    )
    return form


def form_spec(form: Form) -> list[dict[str, Any]]:
    """The form as a spec (what `form_create` takes): two queries."""
    questions = list(Question.objects.filter(form=form).order_by("position", "id"))
    options: dict[int, list[dict[str, Any]]] = {}
    for option in Option.objects.filter(question__form=form).order_by("position", "id"):
        options.setdefault(option.question_id, []).append(
            {"text": option.text, "topic": option.topic}
        )

    def one(q: Question) -> dict[str, Any]:
        raw: dict[str, Any] = {"kind": q.kind, "text": q.text, "required": q.required}
        if q.kind == QuestionKind.RATING:
            raw["scale_max"] = q.scale_max
        if q.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
            raw["options"] = options.get(q.pk, [])
        return raw

    spec: list[dict[str, Any]] = []
    by_parent: dict[int, list[Question]] = {}
    for q in questions:
        if q.parent_id:
            by_parent.setdefault(q.parent_id, []).append(q)
    for q in questions:
        if q.parent_id:
            continue
        raw = one(q)
        if q.kind == QuestionKind.SECTION:
            raw["items"] = [one(item) for item in by_parent.get(q.pk, [])]
        spec.append(raw)
    return spec


def _rating(text: str) -> dict[str, Any]:
    return {"kind": QuestionKind.RATING, "text": text, "scale_max": 5, "required": True}


def template_spec(template: str) -> tuple[str, str, list[dict[str, Any]]]:
    """The built-in forms: (purpose, title, spec). Their wording follows the 教学质量评估 sheets
    of Party schools (seed 001) and the 培训需求调研 questionnaires of seed 002."""
    if template == "teaching":
        return (
            Purpose.EVALUATION,
            _("Teaching quality evaluation"),
            [
                {
                    "kind": QuestionKind.SECTION,
                    "text": _("Teaching content"),
                    "items": [
                        _rating(_("The content is politically sound and on the theme")),
                        _rating(_("The content is close to our work and practical")),
                    ],
                },
                {
                    "kind": QuestionKind.SECTION,
                    "text": _("Teaching method"),
                    "items": [
                        _rating(_("The teaching is clear, lively and well organised")),
                        _rating(_("The teacher engages the trainees")),
                    ],
                },
                {
                    "kind": QuestionKind.SECTION,
                    "text": _("Teaching effect"),
                    "items": [
                        _rating(_("I learned what I can use in my work")),
                        _rating(_("Overall satisfaction")),
                    ],
                },
                {
                    "kind": QuestionKind.TEXT,
                    "text": _("Comments and suggestions"),
                    "required": False,
                },
            ],
        )
    if template == "needs":
        topic_options = [
            {"text": str(label), "topic": value}
            for value, label in Topic.choices
            if value != Topic.OTHER
        ]
        return (
            Purpose.NEEDS,
            _("Training needs survey"),
            [
                {
                    "kind": QuestionKind.MULTIPLE,
                    "text": _("Which topics would you most like to study this year?"),
                    "options": topic_options,
                    "required": True,
                },
                {
                    "kind": QuestionKind.CHOICE,
                    "text": _("Which way of studying suits you best?"),
                    "options": [
                        {"text": _("Concentrated classes"), "topic": ""},
                        {"text": _("Online courses"), "topic": ""},
                        {"text": _("On-site teaching"), "topic": ""},
                        {"text": _("Discussion and exchange"), "topic": ""},
                    ],
                    "required": True,
                },
                _rating(_("How useful was last year's training to your work?")),
                {
                    "kind": QuestionKind.TEXT,
                    "text": _("What else would you like?"),
                    "required": False,
                },
            ],
        )
    if template == "lecture_judging":
        return (
            Purpose.JUDGING,
            _("Party lecture competition score sheet"),
            [
                {
                    "kind": QuestionKind.SECTION,
                    "text": _("Content"),
                    "items": [
                        _rating(_("Correct in politics and accurate in theory")),
                        _rating(_("Close to reality, with a clear theme")),
                    ],
                },
                {
                    "kind": QuestionKind.SECTION,
                    "text": _("Presentation"),
                    "items": [
                        _rating(_("Clear, vivid and well paced")),
                        _rating(_("Good use of slides, stories and cases")),
                    ],
                },
                {"kind": QuestionKind.TEXT, "text": _("Judge's remarks"), "required": False},
            ],
        )
    raise ValidationError({"template": _("No such form template.")})


TEMPLATES = ("teaching", "needs", "lecture_judging")


def form_from_template(*, actor: Actor | None, org: Organization, template: str) -> Form:
    purpose, title, spec = template_spec(template)
    return form_create(actor=actor, org=org, purpose=purpose, title=title, spec=spec)
