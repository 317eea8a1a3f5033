"""Reading what members did: their completions (with the evidence), the year's online hours
against their rules, and the 培训档案's lines of completed courses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.hours.logic import RuleResult
from peixun.hours.registry import ArchiveLine
from peixun.hours.selectors import member_compliance

from ..models import Completion, CourseItem, ItemProgress, Strike


def completions_visible(*, actor: Actor) -> QuerySet[Completion]:
    """Completions the actor may read: a member their own, staff those of their subtree."""
    return Completion.objects.visible_to(actor).select_related("course", "member", "credit")


def my_completions(*, actor: Actor) -> QuerySet[Completion]:
    member_id = scope_of(actor).member_id
    if not member_id:
        return Completion.objects.none()
    return completions_visible(actor=actor).filter(member_id=member_id)


def my_item_progress(*, actor: Actor, item: CourseItem) -> ItemProgress | None:
    """The actor's own progress in an item (where the player resumes), if any."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    return ItemProgress.objects.filter(member_id=member_id, item=item).first()


def strikes_visible(*, actor: Actor) -> QuerySet[Strike]:
    """Refused progress reports of the members in the actor's charge, newest first."""
    return Strike.objects.visible_to(actor).select_related("member", "item__course")


@dataclass(frozen=True)
class YearGoal:
    year: int
    online_hours: Decimal  # confirmed online hours this year, from the ledger
    total_hours: Decimal
    rules: list[RuleResult]  # each rule the member is under, with what it asks and what is done
    exempt: bool


def my_year(*, actor: Actor, year: int | None = None) -> YearGoal | None:
    """What is asked of the member this year and how far they are (hours' compliance engine)."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    year = year or timezone.localdate().year
    report = member_compliance(actor=actor, member=member_id, year=year)
    return YearGoal(
        year=year,
        online_hours=report.totals.online,
        total_hours=report.totals.total,
        rules=list(report.results),
        exempt=report.exempt,
    )


def evidence_text(completion: Completion) -> str:
    """The evidence behind a course's credit, in one phrase."""
    minutes = Decimal(completion.unique_seconds) / 60
    parts = [
        _("%(watched)s of %(length)s minutes watched")
        % {
            "watched": minutes.quantize(Decimal("0.1")),
            "length": (Decimal(completion.video_seconds) / 60).quantize(Decimal("0.1")),
        }
    ]
    if completion.quiz_percent is not None:
        parts.append(_("quiz %(percent)s%%") % {"percent": completion.quiz_percent})
    return "；".join(parts)


def archive_courses(member_id: int, first: int, last: int) -> list[ArchiveLine]:
    """The 培训档案's lines of the courses a member completed in [first, last], with evidence:
    unique minutes watched of the videos' length, the quiz score, and when."""
    start = dt.datetime(first, 1, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(last + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    rows = (
        Completion.objects.filter(
            member_id=member_id, completed_at__gte=start, completed_at__lt=end
        )
        .select_related("course")
        .order_by("completed_at", "id")
    )
    return [
        ArchiveLine(
            on=timezone.localdate(c.completed_at),
            title=c.course.title,
            hours=c.hours,
            outcome=_("completed %(when)s: %(evidence)s")
            % {
                "when": timezone.localtime(c.completed_at).strftime("%H:%M"),
                "evidence": evidence_text(c),
            },
            done=True,
        )
        for c in rows
    ]
