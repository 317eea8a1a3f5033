"""网络专题班 (an online class): courses of the catalogue assigned to an audience for a window,
each required or elective.

The audience is the training classes' audience model (an org subtree, member statuses, cadre
ranks, current positions; an empty list means any), resolved live by
`training.selectors.audience.filter_audience`: a member who transfers in during the window is
in it, one who leaves is not. A member finishes the class by completing every required course
and `elective_minimum` of the electives; a completion counts whenever it was earned, because a
completion sticks and a course cannot be completed twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.exams.models import SharedDownQuerySet


class OnlineClassQuerySet(SharedDownQuerySet):
    """Staff of the organiser, of the orgs above it and of every org below it (whose members
    study in it: a branch secretary follows the branch's progress) see it. Members read their
    classes through `selectors.classes.classes_for_member`, not through a grant."""

    scope_path_field = "org__path"


class OnlineClass(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="online_classes",
    )
    title = models.CharField(_("class title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    description = models.TextField(_("description"), blank=True, max_length=5000)
    audience_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("audience within"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_statuses = models.JSONField(_("member statuses"), default=list, blank=True)
    audience_positions = models.JSONField(_("positions"), default=list, blank=True)
    audience_cadre_ranks = models.JSONField(_("cadre ranks"), default=list, blank=True)
    # How many of the elective courses each member must complete besides every required one.
    elective_minimum = models.PositiveSmallIntegerField(_("electives to complete"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OnlineClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("online class")
        verbose_name_plural = _("online classes")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org", "year"], name="learning_oclass_org_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="learning_oclass_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OnlineClassCourse(models.Model):
    """A course assigned to an online class, required or elective, in the class's order."""

    online_class = models.ForeignKey(
        OnlineClass, on_delete=models.CASCADE, related_name="assignments"
    )
    course = models.ForeignKey(
        "learning.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="class_assignments",
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("course of an online class")
        verbose_name_plural = _("courses of online classes")
        ordering = ["online_class", "-required", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["online_class", "course"], name="learning_oclass_course_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.online_class_id}/{self.course_id}"
