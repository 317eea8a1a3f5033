"""Template filters that tell same-named orgs apart by where they sit in the tree.

They read `org.trail`, set for a whole page at once by `orgs.selectors.attach_ancestor_names`
(one query), so a list of a thousand rows costs no query per row.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html

from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_above_label, org_path_label

register = template.Library()


@register.filter
def org_above(org: Organization | None) -> str:
    """`{{ member.org|org_above }}`: the org's ancestors below the tenant root ("" for none)."""
    return org_above_label(org) if org is not None else ""


@register.filter
def org_with_path(org: Organization | None) -> str:
    """`{{ member.org|org_with_path }}`: the org's name after its ancestors in muted small text,
    e.g. <span>县统计局 › 县统计局党总支 › </span>办公室党支部."""
    if org is None:
        return ""
    above = org_above_label(org)
    if not above:
        return conditional_escape(org.name)
    return format_html('<span class="text-muted small">{} › </span>{}', above, org.name)


@register.filter
def org_path(org: Organization | None) -> str:
    """`{{ org|org_path }}`: the org's name after all its ancestors', as plain text."""
    return org_path_label(org) if org is not None else ""
