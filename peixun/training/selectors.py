"""Every read of the training app goes through here, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from peixun.core.scoping import get_visible_or_404

from .models import Enrolment, MakeUp, Session, TrainingClass


def session_expected_member_ids(event: Any) -> QuerySet:
    """Members expected at a class session: the class's accepted enrolments, and members assigned
    to make up a missed session at this one."""
    from peixun.members.models import Member

    session = Session.objects.filter(event=event).only("training_class_id").first()
    if session is None:
        return Member.objects.none().values_list("pk", flat=True)
    return Member.objects.filter(
        Q(
            pk__in=Enrolment.objects.accepted()
            .filter(training_class_id=session.training_class_id)
            .values("member_id")
        )
        | Q(
            pk__in=MakeUp.objects.filter(assigned_event=event)
            .exclude(state=MakeUp.State.WAIVED)
            .values("member_id")
        )
    ).values_list("pk", flat=True)


def class_get(actor: Any, pk: Any) -> TrainingClass:
    return get_visible_or_404(actor, TrainingClass, pk)


def classes_visible(actor: Any) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.visible_to(actor).select_related("org")
