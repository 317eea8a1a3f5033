"""A survey sends a form to an audience. Anonymity is kept by storage, not by politeness:

- `Invitation` records who was asked and on which day they answered (to chase the rest);
- `Response` holds what was answered, with no user, no member and no time of day, and a random
  primary key, so neither a join, nor the order of ids, nor a timestamp ties it to an invitation;
- a result is shown only once a slice (the whole survey, a branch, a teacher) holds at least
  `SurveySettings.min_responses` responses, and anonymity cannot be switched off once any exist.

A judging survey (a competition's judges) is not anonymous: its responses name the judge.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peixun.core.scoping import Scope, ScopedQuerySet

from .forms import Form, Option, Purpose, Question


class SurveyQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def self_condition(self, scope: Scope) -> Q | None:
        # A member sees the surveys they are asked to answer.
        if not scope.member_id:
            return None
        return Q(
            Exists(Invitation.objects.filter(survey=OuterRef("pk"), member_id=scope.member_id))
        )


class Survey(models.Model):
    class State(models.TextChoices):
        # A context of their own: "Open" and "Closed" already read 正常 and 已撤销 elsewhere.
        DRAFT = "draft", pgettext_lazy("survey state", "Draft")
        OPEN = "open", pgettext_lazy("survey state", "Open")
        CLOSED = "closed", pgettext_lazy("survey state", "Closed")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.PROTECT, related_name="surveys"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # What an evaluation is about: at most one of a class, a session or a teacher.
    training_class = models.ForeignKey(
        "training.TrainingClass",
        verbose_name=_("training class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    session = models.ForeignKey(
        "training.Session",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    teacher = models.ForeignKey(
        "resources.Teacher",
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "year"], name="survey_org_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(training_class__isnull=True, session__isnull=True)
                    | Q(training_class__isnull=True, teacher__isnull=True)
                    | Q(session__isnull=True, teacher__isnull=True)
                ),
                name="survey_one_target",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InvitationQuerySet(ScopedQuerySet):
    scope_path_field = "survey__org__path"


class Invitation(models.Model):
    """Who was asked, and whether they have answered: never what they answered."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's branch when asked: the slice their response is counted in.
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    # The day only: a time of day could be matched against the order responses were stored in.
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["survey", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.member_id}"


class Response(models.Model):
    """What one respondent answered. Anonymous unless the survey is not (judging)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Named only when the survey is not anonymous (a judge's score sheet).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What a judging response scores (a competition entry's id, see the competitions module).
    subject_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        # No ordering by anything that follows the order of answering.
        ordering = ["id"]
        indexes = [models.Index(fields=["survey", "branch"], name="response_survey_branch_idx")]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """One answer: a rating, one option (a multiple choice is a row per option chosen), or text."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    option = models.ForeignKey(
        Option,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question"]
        indexes = [models.Index(fields=["question", "rating"], name="answer_question_rating_idx")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class SurveySettings(models.Model):
    """Per-tenant settings, keyed by the tenant's root organisation."""

    tenant = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="survey_settings",
    )
    # Moodle's feedback module hides results below two responses; five keeps a branch's
    # answers from being read back to the few who gave them.
    min_responses = models.PositiveSmallIntegerField(
        _("show results from this many responses"), default=5
    )
    # A class may not close until its evaluation has been run (the closing checklist).
    class_close_requires_evaluation = models.BooleanField(
        _("a class closes only after its evaluation"), default=False
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.CheckConstraint(condition=Q(min_responses__gte=1), name="survey_min_responses"),
        ]

    def __str__(self) -> str:
        return f"survey settings of {self.tenant_id}"
