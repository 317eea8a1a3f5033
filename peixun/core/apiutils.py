"""Helpers shared by every app's API router (the error shapes and limits of API v1)."""

from ninja.errors import ValidationError as SchemaValidationError

# Lists answer at most this many rows a page, whatever `limit` asks for.
MAX_PAGE = 500


def query_error(field: str, message: str) -> SchemaValidationError:
    """A 422 naming a query parameter, in the same shape as ninja's own validation errors."""
    return SchemaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])
