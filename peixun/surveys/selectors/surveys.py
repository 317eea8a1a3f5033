"""Surveys and forms as the reader may see them."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from peixun.core.scoping import Actor

from ..models import Form, Survey


def visible_surveys(
    *, actor: Actor, purpose: str | None = None, year: int | None = None
) -> QuerySet[Survey]:
    """Surveys the reader may see, with their invited and responded counts."""
    surveys = Survey.objects.visible_to(actor)
    if purpose:
        surveys = surveys.filter(purpose=purpose)
    if year:
        surveys = surveys.filter(year=year)
    annotated: QuerySet[Survey] = surveys.select_related("org", "form").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count(
            "invitations", filter=Q(invitations__responded_on__isnull=False), distinct=True
        ),
    )
    return annotated


def manageable_surveys(
    *, actor: Actor, purpose: str | None = None, year: int | None = None
) -> QuerySet[Survey]:
    return visible_surveys(actor=actor, purpose=purpose, year=year).filter(
        pk__in=Survey.objects.manageable_by(actor).values("pk")
    )


def visible_forms(*, actor: Actor, purpose: str | None = None) -> QuerySet[Form]:
    forms = Form.objects.visible_to(actor).select_related("org")
    return forms.filter(purpose=purpose) if purpose else forms
