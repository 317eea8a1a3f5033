"""师资库: teachers kept by an org and open to a subtree (seed 003: "面向全县党组织开放共享")."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Actor, ScopedQuerySet, actor_id, scope_of
from peixun.orgs.models import ancestor_paths


class Subject(models.TextChoices):
    """The classification of a teacher's subjects (seed 001's 师资库 by 专题)."""

    POLITICAL_THEORY = "political_theory", _("Political theory")  # 政治理论
    PARTY_HISTORY = "party_history", _("Party history and Party building")  # 党史党建
    ECONOMY = "economy", _("Modern economy")  # 现代经济
    SOCIAL_GOVERNANCE = "social_governance", _("Social governance")  # 社会管理
    SCIENCE = "science", _("Science and technology")  # 科学技术
    EXEMPLARS = "exemplars", _("Advanced exemplars")  # 先进典型
    RULE_OF_LAW = "rule_of_law", _("Rule of law")  # 法治
    INTEGRITY = "integrity", _("Integrity")  # 廉政
    CULTURE = "culture", _("Culture")  # 文化
    OTHER = "other", _("Other")


class TeacherTitle(models.TextChoices):
    SENIOR = "senior", _("Senior (正高)")
    ASSOCIATE = "associate", _("Associate senior (副高)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    JUNIOR = "junior", _("Junior (初级)")
    NONE = "none", _("No professional title")


class TeacherQuerySet(ScopedQuerySet):
    """Seen by readers of the keeper's subtree and above, by readers anywhere inside the
    `open_to` subtree (shared down, as the question bank is), and by the teacher's own login;
    managed (the default `manageable_by`) by the managers of the keeper."""

    scope_path_field = "org__path"

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        cond = Q()
        for path in scope.read_paths:
            cond |= Q(org__path__startswith=path)
            # The reader's org is inside the subtree the teacher is open to.
            cond |= Q(open_to__path__in=ancestor_paths(path))
        uid = actor_id(actor)
        if uid is not None:
            cond |= Q(user_id=uid)
        return self.filter(cond) if cond else self.none()


class Teacher(models.Model):
    """One teacher in the 师资库: a member of the tenant or an outside expert.

    Kept by `org`, open to the subtree of `open_to` (the keeper's own subtree when they are the
    same). `member` links a teacher who is a member of the tenant; `user` is the login of a
    teacher who may sign in to see their sessions, rosters and evaluation results."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="teachers",
    )
    open_to = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("open to"),
        on_delete=models.PROTECT,
        related_name="shared_teachers",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teacher_records",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teacher",
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("work unit"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    title = models.CharField(
        _("professional title"),
        max_length=16,
        choices=TeacherTitle.choices,
        default=TeacherTitle.NONE,
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    bio = models.TextField(_("introduction"), blank=True)
    # 退出机制 (seed 001): a teacher who leaves the pool keeps their history but is offered no more.
    active = models.BooleanField(_("in the pool"), default=True)
    left_on = models.DateField(_("left the pool on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["org", "name"], name="teacher_org_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True) | Q(left_on__isnull=False), name="teacher_left_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeacherSubject(models.Model):
    """One subject a teacher teaches: a row each, so a search by subject uses an index."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="subjects"
    )
    subject = models.CharField(_("subject"), max_length=24, choices=Subject.choices)

    class Meta:
        verbose_name = _("teacher's subject")
        verbose_name_plural = _("teachers' subjects")
        ordering = ["teacher", "subject"]
        indexes = [models.Index(fields=["subject", "teacher"], name="teacher_subject_idx")]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "subject"], name="teacher_subject_once"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id}: {self.subject}"
