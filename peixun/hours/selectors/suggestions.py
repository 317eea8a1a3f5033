"""What a member who is behind could join next, from the sources the apps above hours register
(`hours.registry`): open knowledge tests first, then upcoming classes."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..registry import suggestion_source


def upcoming_activities_for(member_id: int, as_of: dt.date) -> list[tuple[str, str]]:
    """Activities a member who is behind could join: (title, url) pairs, at most three.

    Published classes starting after `as_of` whose audience fits the member and that hold no
    place of theirs yet, soonest first. The link is the member's 我的培训 page, which lists the
    same classes (a member cannot open a class they hold no place in); their branch secretary
    nominates them."""
    open_exams = suggestion_source("open_exams")
    open_classes = suggestion_source("open_classes")
    # Open knowledge tests that credit hours come first: they can be taken today, on a phone.
    suggestions = [
        (
            _("Test: %(title)s (open until %(day)s)")
            % {"title": e.title, "day": timezone.localdate(e.closes_at).isoformat()},
            reverse("exams:take", args=[e.pk]),
        )
        for e in (open_exams(member_id, as_of, limit=3) if open_exams else [])
    ]
    url = reverse("training:mine") + "#open-classes"
    suggestions += [
        (
            _("%(title)s (from %(day)s)") % {"title": c.title, "day": c.starts_on.isoformat()},
            url,
        )
        for c in (
            open_classes(member_id, as_of, limit=3 - len(suggestions))
            if open_classes and len(suggestions) < 3
            else []
        )
    ]
    return suggestions
