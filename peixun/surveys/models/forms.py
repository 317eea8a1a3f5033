"""A form: a criteria tree (sections holding rated items) or a questionnaire, kept by an org and
shared down its subtree like a question bank, reused by every survey that sends it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet
from peixun.exams.models import SharedDownQuerySet
from peixun.hours.models import Topic


class Purpose(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")  # 教学质量评估
    NEEDS = "needs", _("Needs survey")  # 培训需求调研
    JUDGING = "judging", _("Judging")  # 评比打分


class QuestionKind(models.TextChoices):
    SECTION = "section", _("Section")  # a criterion that groups items (教学内容, 教学方法 …)
    RATING = "rating", _("Rating")  # 1 … scale_max, 5 by default
    CHOICE = "choice", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Text")


class FormQuerySet(SharedDownQuerySet):
    scope_path_field = "org__path"


class Form(models.Model):
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("kept by"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FormQuerySet.as_manager()

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """An item of a form. A section (a criterion) has items under it through `parent`; items
    without a parent stand on their own. Only rating, choice, multiple and text are answered."""

    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="questions"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("criterion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("text"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    scale_max = models.PositiveSmallIntegerField(_("highest rating"), default=5)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["form", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gte=2) & Q(scale_max__lte=10), name="question_scale_2_10"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """A choice of a choice question. `topic` maps a needs survey's choice to the plan topics,
    so a plan item can cite the survey that asked for it."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=200)
    topic = models.CharField(_("plan topic"), max_length=24, choices=Topic.choices, blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text
