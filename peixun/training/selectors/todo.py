"""The training to-dos of the workbench: nominations waiting for the organiser, and classes
whose last day is past but that are not yet closed (结班). One aggregate query each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from peixun.core.scoping import Actor

from ..models import Enrolment, TrainingClass


@dataclass(frozen=True)
class Waiting:
    count: int
    classes: int  # how many classes they belong to
    first_class: int | None


def nominations_to_review(actor: Actor) -> Waiting:
    """Nominations waiting for a decision in published classes the actor organises."""
    rows = Enrolment.objects.filter(
        state=Enrolment.State.NOMINATED,
        training_class__state=TrainingClass.State.PUBLISHED,
        training_class__in=TrainingClass.objects.manageable_by(actor).values("pk"),
    ).aggregate(
        n=Count("pk"),
        classes=Count("training_class", distinct=True),
        first=Min("training_class"),
    )
    return Waiting(rows["n"], rows["classes"], rows["first"])


def classes_to_close(actor: Actor, today: dt.date | None = None) -> Waiting:
    """Published classes the actor organises whose last day is over: 结班 is due."""
    today = today or timezone.localdate()
    rows = (
        TrainingClass.objects.manageable_by(actor)
        .filter(state=TrainingClass.State.PUBLISHED, ends_on__lt=today)
        .aggregate(n=Count("pk"), first=Min("pk"))
    )
    return Waiting(rows["n"], rows["n"], rows["first"])
