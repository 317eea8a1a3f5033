from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from peixun.core.scoping import Actor, MemberOwnedQuerySet, Scope, ScopedQuerySet

from . import registry


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_path_field = "path"

    def self_condition(self, scope: Scope) -> Q | None:
        # A plain member sees the branch they belong to, so their own page can name it.
        if scope.member_id:
            # A subquery, not a join through `members`: a join repeats the org once per member
            # of it, which breaks `.get()` and counts.
            return Q(pk__in=registry.member_org_ids(scope.member_id))
        return None

    def open(self) -> OrganizationQuerySet:
        return self.filter(closed_on__isnull=True)


class OrganizationManager(MP_NodeManager):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model).order_by("path")

    def visible_to(self, actor: Actor) -> OrganizationQuerySet:
        return self.get_queryset().visible_to(actor)  # type: ignore[return-value]

    def manageable_by(self, actor: Actor) -> OrganizationQuerySet:
        return self.get_queryset().manageable_by(actor)  # type: ignore[return-value]


class Organization(MP_Node):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")
        WORKING_COMMITTEE = "working_committee", _("Working committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")
        GROUP = "group", _("Party group")

    # Kinds a member may belong to directly.
    MEMBER_KINDS = (Kind.BRANCH, Kind.GROUP)

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("organization name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # Subtree filters are `path LIKE 'prefix%'`; PostgreSQL needs pattern ops for that.
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def accepts_members(self) -> bool:
        return self.kind in self.MEMBER_KINDS


# Which kinds may sit under which; a group only under a branch.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    Organization.Kind.COMMITTEE: {"committee", "working_committee", "general_branch", "branch"},
    Organization.Kind.WORKING_COMMITTEE: {"committee", "general_branch", "branch"},
    Organization.Kind.GENERAL_BRANCH: {"branch"},
    Organization.Kind.BRANCH: {"group"},
    Organization.Kind.GROUP: set(),
}


class PositionQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"

    def current(self, on: Any = None) -> PositionQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(since__lte=day) | Q(since__isnull=True)).filter(
            Q(until__isnull=True) | Q(until__gte=day)
        )


class Position(models.Model):
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
        ORGANIZATION = "organization", _("Organization committee member")
        PROPAGANDA = "propaganda", _("Propaganda committee member")
        DISCIPLINE = "discipline", _("Discipline committee member")
        PARTY_AFFAIRS = "party_affairs", _("Party affairs cadre")

    class Kind(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")
        RESERVE = "reserve", _("Reserve")
        SECONDED = "seconded", _("Seconded")

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    org = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    role = models.CharField(_("position"), max_length=24, choices=Role.choices)
    kind = models.CharField(
        _("position kind"), max_length=16, choices=Kind.choices, default=Kind.PART_TIME
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="position_until_after_since",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_role_display()}"


def ancestor_paths(path: str, *, include_self: bool = True) -> list[str]:
    """The materialised paths from the root down to `path` (to its parent without
    `include_self`): one `path__in` lookup finds every org above."""
    step = Organization.steplen
    end = len(path) + 1 if include_self else len(path)
    return [path[:i] for i in range(step, end, step)]
