"""Pure rules of knowledge tests (no ORM, no request, no I/O): what a taker's answer is and
whether it is right (the shape of a response, the folding of fill-in-the-blank text, the grading
of one item), and the letters that name a question's options."""

from __future__ import annotations

import hashlib
import unicodedata
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Question, QuestionKind

MAX_BLANK_LENGTH = 200
OPTION_LETTERS = "ABCDEFGH"


def fold(text: str) -> str:
    """The form two blank answers are compared in: NFKC (full-width letters, digits and
    punctuation become their half-width forms, the ideographic space a space), case folded,
    with every space and punctuation mark dropped. So "ＧＤＰ" = "gdp", "四个 意识。" = "四个意识"."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(
        ch
        for ch in normal
        if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "Z", "C"))
    )
    # Dropping a space can join a letter to a combining mark ("A´" → "a" + U+0301): compose
    # again, so that folding twice gives what folding once did.
    return unicodedata.normalize("NFKC", kept)


def fingerprint(kind: str, stem: str, options: list[str]) -> str:
    """Two questions are duplicates when their type, folded stem and folded options agree."""
    parts = [kind, fold(stem), *sorted(fold(o) for o in options)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def clean_response(kind: str, option_count: int, response: Any) -> Any:
    """The stored form of a taker's response, or a ValidationError naming what is wrong.

    single: an option index → [i]; multiple: indices → sorted unique list; judge: a boolean;
    blank: a string of at most 200 characters. `None` clears the answer."""
    if response is None:
        return None
    if kind == QuestionKind.SINGLE:
        if isinstance(response, list) and len(response) == 1:
            response = response[0]
        if isinstance(response, bool) or not isinstance(response, int):
            raise ValidationError({"response": _("Choose one option.")})
        if not 0 <= response < option_count:
            raise ValidationError({"response": _("That option is not in the question.")})
        return [response]
    if kind == QuestionKind.MULTIPLE:
        if not isinstance(response, list) or not response:
            raise ValidationError({"response": _("Choose one or more options.")})
        if any(isinstance(i, bool) or not isinstance(i, int) for i in response):
            raise ValidationError({"response": _("Choose one or more options.")})
        if any(not 0 <= i < option_count for i in response):
            raise ValidationError({"response": _("That option is not in the question.")})
        return sorted(set(response))
    if kind == QuestionKind.JUDGE:
        if not isinstance(response, bool):
            raise ValidationError({"response": _("Answer true or false.")})
        return response
    if not isinstance(response, str):
        raise ValidationError({"response": _("Write the answer as text.")})
    if len(response) > MAX_BLANK_LENGTH:
        raise ValidationError(
            {"response": _("The answer is longer than %(n)d characters.") % {"n": MAX_BLANK_LENGTH}}
        )
    return response


def is_correct(kind: str, key: Any, response: Any) -> bool:
    """`key` as frozen in the attempt: indices as shown, a boolean, or the accepted texts."""
    if response is None or response == "":
        return False
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return sorted(key) == sorted(response)
    if kind == QuestionKind.JUDGE:
        return bool(key) is response
    folded = fold(str(response))
    return bool(folded) and folded in {fold(a) for a in key}


def grade_item(item: dict[str, Any], response: Any) -> tuple[bool, Decimal]:
    correct = is_correct(item["kind"], item["key"], response)
    return correct, Decimal(item["points"]) if correct else Decimal(0)


def rule_matches(rule: dict[str, Any], pool: list[Question]) -> list[Question]:
    """The questions of `pool` a paper rule (kind, difficulty, topic) may draw."""
    out = [q for q in pool if q.kind == rule["kind"]]
    if rule["difficulty"]:
        out = [q for q in out if q.difficulty == rule["difficulty"]]
    if rule["topic"]:
        out = [q for q in out if rule["topic"] in q.topic_list]
    return out
