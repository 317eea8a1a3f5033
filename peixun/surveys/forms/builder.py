"""The form builder's rows: a server-rendered editor with no script. The criteria tree is a flat
list of rows, each a question; a row marked "item of the criterion above" joins the nearest
section above it. Choice rows carry option slots (text and plan topic). Blank rows are ignored,
so the page can always offer empty rows to fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from peixun.hours.models import Topic

from ..models import QuestionKind
from ..services.forms import question_problems

BLANK_OPTIONS = 2  # empty option slots offered under each choice question
MAX_ROWS = 120
MAX_OPTION_SLOTS = 40


@dataclass
class OptionRow:
    text: str = ""
    topic: str = ""

    @property
    def topic_display(self) -> str:
        return str(dict(Topic.choices).get(self.topic, self.topic))


@dataclass
class Row:
    kind: str = QuestionKind.RATING
    text: str = ""
    required: bool = True
    scale_max: int | str = 5
    item: bool = False  # an item of the criterion (section) above
    options: list[OptionRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def kind_display(self) -> str:
        return str(dict(QuestionKind.choices).get(self.kind, self.kind))

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE)

    @property
    def option_slots(self) -> list[OptionRow]:
        """The options and a few empty slots to add more (any kind may become a choice)."""
        return [*self.options, *[OptionRow() for _i in range(BLANK_OPTIONS)]]


def rows_from_spec(spec: list[dict[str, Any]]) -> list[Row]:
    rows: list[Row] = []

    def one(raw: dict[str, Any], item: bool) -> Row:
        return Row(
            kind=raw["kind"],
            text=raw["text"],
            required=bool(raw.get("required", True)),
            scale_max=raw.get("scale_max", 5),
            item=item,
            options=[
                OptionRow(str(o["text"]), str(o.get("topic") or "")) for o in raw.get("options", [])
            ],
        )

    for raw in spec:
        rows.append(one(raw, False))
        rows.extend(one(item, True) for item in raw.get("items", []))
    return rows


def _bounded(data: QueryDict, name: str, high: int) -> int:
    try:
        return max(0, min(int(data.get(name) or 0), high))
    except ValueError:
        return 0


def rows_from_post(data: QueryDict) -> list[Row]:
    """The rows as posted, blank and deleted ones dropped (nothing validated yet)."""
    rows: list[Row] = []
    for i in range(_bounded(data, "rows", MAX_ROWS)):
        p = f"q-{i}-"
        if data.get(p + "delete"):
            continue
        kind = str(data.get(p + "kind") or "")
        text = str(data.get(p + "text") or "").strip()
        options = []
        for k in range(_bounded(data, p + "slots", MAX_OPTION_SLOTS)):
            option_text = str(data.get(f"{p}o-{k}-text") or "").strip()
            topic = str(data.get(f"{p}o-{k}-topic") or "")
            if option_text or topic:
                options.append(OptionRow(option_text, topic))
        if not text and not options:
            continue  # an empty slot
        rows.append(
            Row(
                kind=kind,
                text=text,
                required=bool(data.get(p + "required")),
                scale_max=str(data.get(p + "scale_max") or "5"),
                item=bool(data.get(p + "item")),
                options=options,
            )
        )
    return rows


def _raw(row: Row) -> dict[str, Any]:
    raw: dict[str, Any] = {"kind": row.kind, "text": row.text, "required": row.required}
    if row.kind == QuestionKind.RATING:
        raw["scale_max"] = row.scale_max
    if row.has_options:
        raw["options"] = [{"text": o.text, "topic": o.topic} for o in row.options]
    return raw


def spec_from_rows(rows: list[Row]) -> list[dict[str, Any]] | None:
    """The spec for `form_create`/`form_update`, or None when a row has problems, each then
    put on its row (`Row.errors`) so the page shows it beside the question."""
    spec: list[dict[str, Any]] = []
    section: dict[str, Any] | None = None
    for row in rows:
        raw = _raw(row)
        if row.item and row.kind != QuestionKind.SECTION:
            if section is None:
                row.errors.append(_("An item needs a criterion above it."))
                continue
            row.errors.extend(question_problems(raw, in_section=True))
            section["items"].append(raw)
            continue
        if row.kind == QuestionKind.SECTION:
            section = {"kind": QuestionKind.SECTION, "text": row.text, "items": []}
            row.errors.extend(
                question_problems(
                    {**section, "items": [{"kind": "text", "text": "-"}]}, in_section=False
                )
            )
            spec.append(section)
        else:
            section = None
            row.errors.extend(question_problems(raw, in_section=False))
            spec.append(raw)
    # A criterion with no item under it.
    owner: Row | None = None
    counts: dict[int, int] = {}
    for index, row in enumerate(rows):
        if row.kind == QuestionKind.SECTION:
            owner = row
            counts[index] = 0
        elif row.item and owner is not None:
            counts[rows.index(owner)] += 1
        else:
            owner = None
    for index, n in counts.items():
        if n == 0:
            rows[index].errors.append(_("A criterion needs at least one item under it."))
    if any(row.errors for row in rows):
        return None
    return spec


def topic_choices() -> list[tuple[str, str]]:
    return [("", "—"), *[(str(v), str(label)) for v, label in Topic.choices]]


def kind_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in QuestionKind.choices]
