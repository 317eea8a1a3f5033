"""需求调研: a needs survey sent to an audience (the training classes' audience model), invited,
opened with a notice to everyone asked, and closed. The survey's life itself is the core's
(`services.surveys`); this module adds the audience and the notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization
from peixun.training.services.classes import clean_audience

from ..models import Form, NeedsAudience, Survey
from ..models.forms import Purpose
from ..tallies import audience_members
from .forms import form_from_template
from .surveys import survey_close, survey_create, survey_invite, survey_open

AUDIENCE_FIELDS = (
    "audience_org",
    "audience_statuses",
    "audience_positions",
    "audience_cadre_ranks",
)


def require_needs(survey: Survey) -> None:
    if survey.purpose != Purpose.NEEDS:
        raise ValidationError(_("This is not a needs survey."))


@transaction.atomic
def needs_survey_create(
    *,
    actor: Actor | None,
    org: Organization,
    form: Form | None,
    title: str,
    year: int,
    audience: dict[str, Any] | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    """A draft needs survey run by `org` (which the actor manages) on a needs form the actor may
    see (None: a copy of the built-in 培训需求调研 questionnaire, kept by `org`), asking `audience` (the four audience fields; the org's whole subtree by default).
    Anonymous, as every needs survey is: members say what they need more freely."""
    if actor is not None:
        require_manage(actor, org)
    errors: dict[str, str] = {}
    if form is None:
        pass
    elif form.purpose != Purpose.NEEDS:
        errors["form"] = _("Choose a needs survey form.")
    elif actor is not None and not Form.objects.visible_to(actor).filter(pk=form.pk).exists():
        errors["form"] = _("Choose a form you may use.")
    unknown = set(audience or {}) - set(AUDIENCE_FIELDS)
    if unknown:
        raise ValueError(f"not audience fields: {sorted(unknown)}")
    clean, audience_errors = clean_audience(dict(audience or {}), org)
    errors.update(audience_errors)
    # The core checks these too; checked here as well so every problem is told at once.
    if not (title or "").strip() or len(title.strip()) > 200:
        errors["title"] = _("Give a title, at most 200 characters.")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Give a year from 2000 to 2100.")
    if errors:
        raise ValidationError(errors)
    if form is None:
        form = form_from_template(actor=actor, org=org, template="needs")
    survey = survey_create(
        actor=actor, form=form, org=org, title=title, year=year, closes_at=closes_at
    )
    NeedsAudience.objects.create(survey=survey, **clean)
    audit_record(
        actor=actor,
        verb="survey.audience",
        obj=survey,
        org=org,
        after={
            "audience_org": clean["audience_org"].pk,
            **{k: clean[k] for k in AUDIENCE_FIELDS[1:]},
        },
    )
    return survey


@transaction.atomic
def needs_survey_invite(*, actor: Actor | None, survey: Survey) -> int:
    """Invite every member of the audience not yet invited; how many were newly invited."""
    require_needs(survey)
    if actor is not None:
        require_manage(actor, survey.org)
    return survey_invite(actor=actor, survey=survey, members=audience_members(survey).iterator())


@transaction.atomic
def needs_survey_open(*, actor: Actor | None, survey: Survey) -> int:
    """Invite the audience (members who joined since are added), open the survey and tell each
    invited member with a login; how many were told."""
    require_needs(survey)
    if actor is not None:
        require_manage(actor, survey.org)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    needs_survey_invite(actor=actor, survey=survey)
    survey = survey_open(actor=actor, survey=survey)
    return _notify_invited(actor, survey)


def answer_url(survey: Survey) -> str:
    """The member's answer page (`surveys:answer`, built by the evaluation pages)."""
    try:
        return reverse("surveys:answer", args=[survey.pk])
    except NoReverseMatch:  # the answer page is not in this build: its address all the same
        return f"/surveys/{survey.pk}/answer/"


def _notify_invited(actor: Actor | None, survey: Survey) -> int:
    users = get_user_model().objects.filter(
        member_id__in=survey.invitations.values("member_id"), is_active=True
    )
    body = _("%(org)s asks what training you need; your answers are anonymous.") % {
        "org": survey.org.name
    }
    if survey.closes_at:
        body += " " + _("Open until %(day)s.") % {"day": survey.closes_at.date().isoformat()}
    sent = notification_send(
        actor=actor,
        recipients=users.iterator(chunk_size=2000),
        title=_("Training needs survey: %(title)s") % {"title": survey.title},
        body=body,
        url=answer_url(survey),
        dedupe_key=f"needs-survey-open:{survey.pk}",
    )
    return len(sent)


@transaction.atomic
def needs_survey_close(*, actor: Actor | None, survey: Survey) -> Survey:
    require_needs(survey)
    return survey_close(actor=actor, survey=survey)
