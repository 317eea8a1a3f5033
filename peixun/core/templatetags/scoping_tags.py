"""Template filters over core.scoping, so a template shows a link only to a reader who may use it."""

from __future__ import annotations

from typing import Any

from django import template

from peixun.core.scoping import can_read_org

register = template.Library()


@register.filter
def readable_by(org: Any, user: Any) -> bool:
    """`{% if org|readable_by:user %}`: the user may read the org's pages (its subtree is theirs)."""
    return can_read_org(user, org)
