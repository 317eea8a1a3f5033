"""Helpers shared by every app's API router (the error shapes and limits of API v1)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as SchemaValidationError

from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

# Lists answer at most this many rows a page, whatever `limit` asks for.
MAX_PAGE = 500


def query_error(field: str, message: str) -> SchemaValidationError:
    """A 422 naming a query parameter, in the same shape as ninja's own validation errors."""
    return SchemaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def org_field(actor: Actor, field: str, pk: int) -> Organization:
    """An org named in a request body: one out of scope is a field error (422), like a bad value."""
    org = Organization.objects.visible_to(actor).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: _("No such organization in your scope.")})
    return org
