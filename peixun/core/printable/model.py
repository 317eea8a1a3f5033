"""The document model of `core.printable`: what a document says (title, 版头, blocks, 落款, 版记),
and the helpers both renderers share (attachment lines, 版记 lines, cell text, column widths)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..docxstyle import chinese_date

Alignment = Literal["justify", "left", "center", "right"]


@dataclass(frozen=True)
class Heading:
    """一、 (level 1, 黑体) or （一） (level 2, 楷体); the builder writes the numbering. A heading
    `in_contents` is listed, with its page number, on the document's `Contents` page."""

    text: str
    level: int = 1
    in_contents: bool = False


@dataclass(frozen=True)
class Para:
    text: str
    align: Alignment = "justify"
    indent: bool = True  # the first line indented by two characters
    size: float = 16  # 三号
    bold: bool = False


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    # Column alignment: "l", "c" or "r" per column (numbers read best right-aligned).
    aligns: Sequence[str] = ()
    size: float = 10.5  # 五号: tables hold more than the body's 三号


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Spacer:
    """Blank lines of the body's line height (room on a certificate, before a signature)."""

    lines: int = 1


@dataclass(frozen=True)
class Contents:
    """A contents page: every `Heading(in_contents=True)` that follows, with its page number.
    It ends with a page break."""

    title: str = "目　录"


Block = Heading | Para | Table | PageBreak | Spacer | Contents


@dataclass
class Printable:
    title: str
    blocks: list[Block] = field(default_factory=list)
    issuer: str = ""  # 发文机关标志, red above a red rule; empty for plain documents
    reference: str = ""  # 发文字号
    addressee: str = ""  # 主送机关
    signature: str = ""  # 落款: the issuing org's name
    dated: dt.date | None = None  # 成文日期
    author: str = ""  # metadata: the org the document speaks for
    subject: str = ""
    attachments: Sequence[str] = ()  # 附件说明: the names of the attachments, in order
    copy_to: str = ""  # 版记: 抄送
    printed_by: str = ""  # 版记: 印发机关
    printed_on: dt.date | None = None  # 版记: 印发日期
    sealed: bool = False  # room for the seal over the 落款 and 成文日期
    landscape: bool = False
    numbered: bool = True  # page numbers "— N —" at the bottom
    # Attachments' pages (附件), after the 落款 and before the 版记, starting on a page of their own.
    annex: list[Block] = field(default_factory=list)
    title_size: float = 22  # 二号; a certificate's title is larger

    def add(self, *blocks: Block) -> Printable:
        self.blocks.extend(blocks)
        return self


def attachment_lines(names: Sequence[str]) -> list[str]:
    """附件说明 (GB/T 9704 7.3.4): "附件：1. …" and the further names aligned under the first."""
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    return [
        ("附件：" if index == 0 else "　　　") + f"{index + 1}. {name}"
        for index, name in enumerate(names)
    ]


def imprint_lines(doc: Printable) -> list[str]:
    """The 版记 (GB/T 9704 7.4): 抄送, then 印发机关 with 印发日期 on one line."""
    lines = []
    if doc.copy_to:
        lines.append(f"抄送：{doc.copy_to}。")
    if doc.printed_by or doc.printed_on:
        printed_on = f"{chinese_date(doc.printed_on)}印发" if doc.printed_on else ""
        lines.append(f"{doc.printed_by}　　{printed_on}".strip("　"))
    return lines


def contents_entries(doc: Printable) -> list[Heading]:
    return [b for b in doc.blocks if isinstance(b, Heading) and b.in_contents]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return chinese_date(value)
    return str(value)


def _rigid(table: Table, index: int) -> bool:
    """Whether a column holds only text that does not wrap well: no Chinese, no spaces."""
    texts = [cell_text(row[index]) for row in table.rows[:200] if index < len(row)]
    texts = [text for text in texts if text]
    return bool(texts) and not any(
        ord(ch) > 0x2E7F or ch.isspace() for text in texts for ch in text
    )


_TOKEN = re.compile(r"[0-9A-Za-z:：.,%\-—/]+")
_TOKEN_MAX = 14  # characters: a longer token (a URL) wraps anyway


def _widest_token(table: Table, index: int, measure: Any) -> float:
    tokens = [
        token[:_TOKEN_MAX]
        for row in table.rows[:200]
        if index < len(row)
        for token in _TOKEN.findall(cell_text(row[index]))
    ]
    widest: float = max((measure(token) for token in tokens), default=0.0)
    return widest + float(measure("中")) * 0.6


def fitted_widths(table: Table, total: float, measure: Any, *, min_chars: int = 4) -> list[float]:
    """Column widths in the units of `total`, in proportion to each column's widest content
    (`measure(text)`) while everything fits. When it does not, the columns that fit keep their
    width and the widest ones share what remains equally (a cap), never below a floor: room for
    `min_chars` characters (or two of the header's, if wider), so a long text or an unbreakable
    URL wraps by character in a column of a few characters, never in one narrower than a letter.
    Only when even the floors do not fit are all columns shrunk in proportion. Columns of
    numbers and codes (`_rigid`) keep their whole width if the others can make room."""
    columns = len(table.headers)
    em = measure("中")
    wanted: list[float] = []
    for index in range(columns):
        texts = [cell_text(table.headers[index])] + [
            cell_text(row[index]) for row in table.rows[:200] if index < len(row)
        ]
        wanted.append(max(measure(text) for text in texts) + em)
    floor = [
        min(wanted[i], max(measure(cell_text(table.headers[i])[:2]) + em, min_chars * em))
        for i in range(columns)
    ]
    # A time span or a figure inside Chinese text ("12月17日 09:00—12:00") should not break
    # between its digits: each column's floor holds its widest such token, up to a dozen.
    tokens = [_widest_token(table, i, measure) for i in range(columns)]
    with_tokens = [min(wanted[i], max(floor[i], tokens[i])) for i in range(columns)]
    if sum(with_tokens) < total:
        floor = with_tokens
    if sum(wanted) <= total:
        return [w * total / sum(wanted) for w in wanted]
    if sum(floor) >= total:
        return [w * total / sum(floor) for w in floor]
    # A column of numbers and codes (an ID number, a telephone, a date in digits) keeps its
    # width while the columns of Chinese text can give way: those wrap between any characters,
    # an 18-digit ID number broken over two lines is misread.
    # Their text columns may go down to two characters for it.
    rigid = [_rigid(table, i) for i in range(columns)]
    if any(rigid):
        for floor_chars in (min_chars, 2):
            low_floor = [min(floor[i], floor_chars * em) for i in range(columns)]
            if sum(wanted[i] if rigid[i] else low_floor[i] for i in range(columns)) <= total:
                floor = low_floor
                break
        else:
            rigid = [False] * columns

    def capped(cap: float) -> list[float]:
        return [
            wanted[i] if rigid[i] else min(wanted[i], max(floor[i], cap)) for i in range(columns)
        ]

    # The cap at which the columns sum to `total`: sum(capped(cap)) grows with the cap.
    low, high = 0.0, max(wanted)
    for _ in range(60):
        middle = (low + high) / 2
        if sum(capped(middle)) > total:
            high = middle
        else:
            low = middle
    widths = capped(low)
    # Give the rounding's remainder to the capped (widest) columns.
    loose = [i for i in range(columns) if widths[i] < wanted[i]] or list(range(columns))
    spare = (total - sum(widths)) / len(loose)
    for i in loose:
        widths[i] += spare
    return widths
