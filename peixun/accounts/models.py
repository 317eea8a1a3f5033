from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Self

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from peixun.core import registry
from peixun.core.scoping import Actor, ScopedQuerySet, scope_of
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
    # Part of every session's auth hash: raising it ends all the user's sessions at their next
    # request (a logout anywhere ends the phone that stays signed in).
    session_version = models.PositiveIntegerField(_("session version"), default=0)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "peixun.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_version}", secret=secret, algorithm="sha256"
        ).hexdigest()

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
        # The three-role separation: logins and grants, and the reading of the audit trail.
        SECURITY_ADMIN = registry.SECURITY_ADMIN, _("Security administrator")
        AUDITOR = registry.AUDITOR, _("Auditor")

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


class ApiTokenQuerySet(ScopedQuerySet):
    """A token is a secret of its owner's: the owner sees their own, an org admin those of the
    members' logins in their subtree, a platform admin all (never a secretary or a viewer)."""

    scope_path_field = "user__member__org__path"

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        if not actor.is_authenticated:
            return self.none()
        return self._filter_paths(scope.admin_paths, Q(user_id=actor.pk))

    def manageable_by(self, actor: Actor) -> Self:
        return self.visible_to(actor)

    def active(self, now: dt.datetime | None = None) -> Self:
        """Tokens that still authenticate: not revoked and not past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token, named by its owner, that expires and can be revoked.

    Only its hash is stored; the raw value is shown once, when it is issued."""

    class State:
        ACTIVE = "active"
        EXPIRED = "expired"
        REVOKED = "revoked"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80, default="API")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked_idx")]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_required")]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @staticmethod
    def new_raw() -> str:
        return "px_" + secrets.token_urlsafe(32)

    def state(self, now: dt.datetime | None = None) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE


class ActivationCodeQuerySet(ScopedQuerySet):
    scope_path_field = "user__member__org__path"


class ActivationCode(models.Model):
    """A one-time code a member types (or scans) to set their first password.

    Only a keyed hash of the code is stored; the raw code is shown once, on the activation slip.
    A code works once, until `expires_at`, and a newer code for the same user voids it."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="activation_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        indexes = [models.Index(fields=["user", "used_at"], name="activation_user_used_idx")]

    def __str__(self) -> str:
        return f"activation code #{self.pk} of {self.user_id}"


class AccountSettings(models.Model):
    """Per-tenant settings of logins, keyed by the tenant's root org."""

    tenant = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="account_settings",
    )
    # A plain member may keep their own phone signed in this long (0: never); staff never do.
    member_session_days = models.PositiveSmallIntegerField(
        _("members may stay signed in on their phone for (days)"), default=30
    )

    class Meta:
        verbose_name = _("login settings")
        verbose_name_plural = _("login settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(member_session_days__lte=90), name="account_settings_days_max"
            )
        ]

    def __str__(self) -> str:
        return f"login settings of {self.tenant_id}"
