from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_admin, require_platform
from peixun.core.scoping import Actor, forget_scope
from peixun.orgs.models import Organization

from ..models import Grant, User


@transaction.atomic
def grant_create(*, actor: Actor, user: User, role: str, org: Organization | None) -> Grant:
    if role not in Grant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Grant.Role.PLATFORM_ADMIN:
        require_platform(actor)
        org = None
    else:
        if org is None:
            raise ValidationError({"org": _("Choose the organization this role covers.")})
        require_admin(actor, org)
        if role == Grant.Role.SECRETARY and not org.accepts_members:
            raise ValidationError(
                {"org": _("A secretary's grant is for a branch or a Party group.")}
            )
    grant, created = Grant.objects.get_or_create(user=user, role=role, org=org)
    if created:
        audit_record(
            actor=actor,
            verb="grant.create",
            obj=grant,
            org=org,
            after={"user": user.pk, "role": role},
        )
    forget_scope(user)
    return grant
