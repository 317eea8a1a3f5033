from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core import registry
from peixun.core.validators import mobile_validator


class User(AbstractUser):
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        validators=[mobile_validator],
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def display_name(self) -> str:
        if self.member_id and self.member:
            return self.member.name
        return self.get_full_name() or self.username


class Grant(models.Model):
    """A role on a subtree. Platform admin needs no org; every other role does."""

    class Role(models.TextChoices):
        # The values core's scoping reads (core.registry names them, core sitting below accounts).
        PLATFORM_ADMIN = registry.PLATFORM_ADMIN, _("Platform admin")
        ORG_ADMIN = registry.ORG_ADMIN, _("Org admin")
        SECRETARY = registry.SECRETARY, _("Branch secretary")
        VIEWER = registry.VIEWER, _("Read-only viewer")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("The last day the grant gives access; empty for no end."),
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grants_given",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="grant_unique"),
            models.CheckConstraint(
                condition=Q(role="platform_admin") | Q(org__isnull=False), name="grant_org_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.org_id or ''}"

    def is_live(self, today: dt.date | None = None) -> bool:
        """Whether the grant gives access today: no expiry, or an expiry not yet past."""
        day = today or timezone.localdate()
        return self.expires_on is None or self.expires_on >= day


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @staticmethod
    def new_raw() -> str:
        return "px_" + secrets.token_urlsafe(32)
