"""Filters for the notification pages."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A path on this site written into a message ("…download your notice: /training/5/notice/").
# It starts a word (not "1/3", not "2025/06") and its segments end with a slash, as every page's do.
_SITE_PATH = re.compile(r"(?<![\w/.])(/(?:[\w\-.]+/)+(?:\?[\w\-=&%.]*)?)")


@register.filter
def link_paths(text: str) -> SafeString:
    """The message text, escaped, with the site paths in it made into links: a reader clicks,
    never copies a URL."""
    parts = _SITE_PATH.split(text or "")
    out = [
        format_html('<a href="{}">{}</a>', part, part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    ]
    # Safe: every part is escaped or built by format_html.
    return mark_safe("".join(out))  # noqa: S308
