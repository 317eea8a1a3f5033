"""Minutes are stored as sanitised HTML: an allow-list of formatting tags, no attributes.

Plain text (what a phone's text box gives) is escaped and its blank lines become paragraphs;
text that contains tags is cleaned with nh3, which drops scripts, styles, event handlers and
links entirely. Pages render the stored HTML through `minutes_html`, which cleans it once more,
so a row written by anything but these services is still shown harmless.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
MAX_MINUTES_CHARS = 50_000
_TAG = re.compile(r"<[a-zA-Z/!]")


def clean_minutes(raw: str | None) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        text = linebreaks(text, autoescape=True)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes={}, link_rel=None).strip()


def minutes_html(stored: str) -> SafeString:
    return mark_safe(nh3.clean(stored or "", tags=ALLOWED_TAGS, attributes={}, link_rel=None))  # noqa: S308
