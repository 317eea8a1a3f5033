"""A survey's life: created on a form (draft), its audience invited, opened, closed. Anonymity is
chosen while nobody has answered and fixed from the first response on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.resources.models import Teacher
from peixun.training.models import Session, TrainingClass

from ..models import Form, Invitation, Response, Survey
from ..models.forms import Purpose

SURVEY_AUDIT = ["title", "year", "anonymous", "state", "opens_at", "closes_at"]


def _locked(survey: Survey) -> Survey:
    locked: Survey = Survey.objects.select_for_update().get(pk=survey.pk)
    return locked


def branch_of(org: Organization) -> Organization:
    """The branch a member's org counts under: a Party group counts under its branch."""
    if org.kind == Organization.Kind.GROUP and org.depth > 1:
        return org.get_parent() or org
    return org


@transaction.atomic
def survey_create(
    *,
    actor: Actor | None,
    form: Form,
    org: Organization,
    title: str,
    year: int,
    anonymous: bool = True,
    training_class: TrainingClass | None = None,
    session: Session | None = None,
    teacher: Teacher | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    if actor is not None:
        require_manage(actor, org)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _("Give a title, at most 200 characters.")
    if not 2000 <= int(year) <= 2100:
        errors["year"] = _("Give a year from 2000 to 2100.")
    targets = [t for t in (training_class, session, teacher) if t is not None]
    if len(targets) > 1:
        errors["target"] = _("Evaluate one thing: a class, a session or a teacher.")
    if targets and form.purpose != Purpose.EVALUATION:
        errors["target"] = _("Only an evaluation is about a class, a session or a teacher.")
    if form.purpose == Purpose.JUDGING and anonymous:
        errors["anonymous"] = _("Judges' score sheets carry the judge's name.")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    if errors:
        raise ValidationError(errors)
    survey = Survey.objects.create(
        org=org,
        form=form,
        purpose=form.purpose,
        title=title,
        year=int(year),
        anonymous=anonymous,
        training_class=training_class,
        session=session,
        teacher=teacher,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor_id(actor),
    )
    audit_record(actor=actor, verb="survey.create", obj=survey, org=org)
    return survey


@transaction.atomic
def survey_invite(*, actor: Actor | None, survey: Survey, members: Iterable[Member]) -> int:
    """Invite members (those already invited are skipped); how many were newly invited."""
    survey = _locked(survey)
    if actor is not None:
        require_manage(actor, survey.org)
    if survey.state == Survey.State.CLOSED:
        raise ValidationError(_("This survey is closed."))
    chosen = {m.pk: m for m in members}
    already = set(
        Invitation.objects.filter(survey=survey, member_id__in=list(chosen)).values_list(
            "member_id", flat=True
        )
    )
    orgs = {
        o.pk: o for o in Organization.objects.filter(pk__in={m.org_id for m in chosen.values()})
    }
    new = [
        Invitation(survey=survey, member=m, branch=branch_of(orgs[m.org_id]))
        for pk, m in chosen.items()
        if pk not in already
    ]
    Invitation.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            verb="survey.invite",
            obj=survey,
            org=survey.org,
            after={"invited": len(new)},
        )
    return len(new)


@transaction.atomic
def survey_open(*, actor: Actor | None, survey: Survey) -> Survey:
    survey = _locked(survey)
    if actor is not None:
        require_manage(actor, survey.org)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    if not Invitation.objects.filter(survey=survey).exists():
        raise ValidationError(_("Invite the people who are to answer first."))
    survey.state = Survey.State.OPEN
    if survey.opens_at is None:
        survey.opens_at = timezone.now()
    survey.save(update_fields=["state", "opens_at"])
    audit_record(actor=actor, verb="survey.open", obj=survey, org=survey.org)
    return survey


@transaction.atomic
def survey_close(*, actor: Actor | None, survey: Survey) -> Survey:
    survey = _locked(survey)
    if actor is not None:
        require_manage(actor, survey.org)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.state = Survey.State.CLOSED
    now = timezone.now()
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = max(now, (survey.opens_at or now) + dt.timedelta(seconds=1))
    survey.save(update_fields=["state", "closes_at"])
    audit_record(actor=actor, verb="survey.close", obj=survey, org=survey.org)
    return survey


@transaction.atomic
def survey_set_anonymous(*, actor: Actor, survey: Survey, anonymous: bool) -> Survey:
    survey = _locked(survey)
    require_manage(actor, survey.org)
    if survey.anonymous == anonymous:
        return survey
    if Response.objects.filter(survey=survey).exists():
        raise ValidationError(
            {"anonymous": _("People have answered on the terms they were given; they stay.")}
        )
    if survey.purpose == Purpose.JUDGING and anonymous:
        raise ValidationError({"anonymous": _("Judges' score sheets carry the judge's name.")})
    survey.anonymous = anonymous
    survey.save(update_fields=["anonymous"])
    audit_record(
        actor=actor,
        verb="survey.anonymity",
        obj=survey,
        org=survey.org,
        before={"anonymous": not anonymous},
        after={"anonymous": anonymous},
    )
    return survey
