"""Helpers shared by every app's API router: the error shapes, limits and value types of API v1.

Inputs are parsed strictly and within range, so a malformed value is a 422 naming the field and
never a 500 or a silent coercion (`{"new_parent": true}` is not org 1):
- in a JSON body, an id is `Id`, another whole number `Int`, a year `Year`, a flag `Flag`: strict
  types, so `true` is not 1 and `"1"` is not 1;
- in the path, the query string or a multipart form, the same values arrive as text, so the
  `*Param` types parse text but keep the same bounds.
Every integer fits a 64-bit database column: an id is 1 to 2^63-1, a year 2 to 9998.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import StrictBool, StrictInt

# Lists answer at most this many rows a page, whatever `limit` asks for.
MAX_PAGE = 500
# The largest value a 64-bit signed database column holds: ids, offsets, counts.
MAX_ID = 2**63 - 1
# Years as Python's dates know them, less one at each end: a year's range reaches the first day
# of the next year (as core.params.year_param allows for pages) and comparisons the year before.
MIN_YEAR, MAX_YEAR = dt.MINYEAR + 1, dt.MAXYEAR - 1

# JSON bodies: strict (no bool or text taken for a number) and bounded.
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Int = Annotated[StrictInt, Field(ge=-MAX_ID, le=MAX_ID)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
Year = Annotated[StrictInt, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Flag = StrictBool

# Path, query string and multipart form fields: text parsed into the same bounded values.
IdParam = Annotated[int, Field(ge=1, le=MAX_ID)]
IntParam = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]
CountParam = Annotated[int, Field(ge=0, le=MAX_ID)]
YearParam = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class ErrorItem(Schema):
    """One problem with the request: where (`loc`, e.g. ["body", "org"]) and what (`msg`)."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """The body of every error answer: a sentence (400, 401, 403, 404, 429) or, for a 422,
    the list of problems by field."""

    detail: str | list[ErrorItem]


def query_error(field: str, message: str) -> SchemaValidationError:
    """A 422 naming a query parameter, in the same shape as ninja's own validation errors."""
    return SchemaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


class Paged(LimitOffsetPagination):
    """`limit` and `offset` bounded to what the database can count: a `limit` above MAX_PAGE
    answers MAX_PAGE rows, and one outside 1 to 2^63-1 (or a negative or too large `offset`)
    is a 422 instead of an overflow in the database."""

    class Input(LimitOffsetPagination.Input):
        limit: int = Field(100, ge=1, le=MAX_ID, description=f"rows a page (at most {MAX_PAGE})")
        offset: int = Field(0, ge=0, le=MAX_ID - MAX_PAGE)

    def __init__(self, max_limit: int = MAX_PAGE, **kwargs: Any) -> None:
        super().__init__(max_limit=min(max_limit, MAX_PAGE), **kwargs)


class Ref(Schema):
    """Another object named in an answer: its id and its name."""

    id: int
    name: str


class OrgRef(Ref):
    """An organisation named in an answer: its id and its name."""


class ReasonIn(Schema):
    """A decision's optional reason, shown to the person it concerns."""

    reason: str = ""
