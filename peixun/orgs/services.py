"""Every write to the org tree."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_admin, require_platform
from peixun.core.scoping import Actor
from peixun.core.text import fold_width

from . import registry
from .models import ALLOWED_CHILDREN, Organization

_AUDIT_FIELDS = ["code", "name", "kind", "path", "closed_on"]


def _clean_code(code: str) -> str:
    code = fold_width(code or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("The code is required.")})
    if len(code) > 32:
        raise ValidationError({"code": _("The code may have at most 32 characters.")})
    return code


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("The name is required.")})
    if len(name) > 120:
        raise ValidationError({"name": _("The name may have at most 120 characters.")})
    return name


def _check_kind_under(kind: str, parent: Organization | None) -> None:
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of organization.")})
    if parent is not None and kind not in ALLOWED_CHILDREN[parent.kind]:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be placed under a %(parent)s.")
                % {"kind": Organization.Kind(kind).label, "parent": parent.get_kind_display()}
            }
        )


@transaction.atomic
def org_create(
    *, actor: Actor, parent: Organization | None, code: str, name: str, kind: str
) -> Organization:
    if parent is None:
        require_platform(actor)
    else:
        require_admin(actor, parent)
        if not parent.is_open:
            raise ValidationError({"parent": _("The parent organization is closed.")})
    # Report every bad field at once, so a form shows all its errors in one round.
    errors: dict[str, list[str]] = {}
    try:
        code = _clean_code(code)
    except ValidationError as error:
        errors.update(error.message_dict)
    else:
        if Organization.objects.filter(code=code).exists():
            errors["code"] = [_("The code %(code)s is already in use.") % {"code": code}]
    for check in (lambda: _clean_name(name), lambda: _check_kind_under(kind, parent)):
        try:
            check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    name = _clean_name(name)
    if parent is None:
        org = Organization.objects.add_root({"code": code, "name": name, "kind": kind})
        # A new tenant starts with the national study-hour rules (DESIGN.md §3) as rows it can
        # extend: hours listens (orgs.registry).
        registry.tenant_created(actor=actor, tenant=org, from_year=timezone.localdate().year)
    else:
        org = Organization.objects.add_child(parent, {"code": code, "name": name, "kind": kind})
    audit_record(
        actor=actor, verb="org.create", obj=org, org=org, after=snapshot(org, _AUDIT_FIELDS)
    )
    return org


@transaction.atomic
def org_rename(
    *, actor: Actor, org: Organization, name: str, code: str | None = None
) -> Organization:
    require_admin(actor, org)
    before = snapshot(org, _AUDIT_FIELDS)
    # Validate everything before touching the instance, so a rejected rename leaves it as it was.
    new_name = _clean_name(name)
    new_code = org.code if code is None else _clean_code(code)
    if (
        new_code != org.code
        and Organization.objects.filter(code=new_code).exclude(pk=org.pk).exists()
    ):
        raise ValidationError(
            {"code": _("The code %(code)s is already in use.") % {"code": new_code}}
        )
    org.name = new_name
    org.code = new_code
    org.save(update_fields=["name", "code"])
    audit_record(
        actor=actor,
        verb="org.rename",
        obj=org,
        org=org,
        before=before,
        after=snapshot(org, _AUDIT_FIELDS),
    )
    return org


@transaction.atomic
def org_move(*, actor: Actor, org: Organization, new_parent: Organization) -> Organization:
    """Move `org` with its whole subtree under `new_parent`."""
    require_admin(actor, org)
    require_admin(actor, new_parent)
    org.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"new_parent": _("An organization cannot be moved under itself.")})
    if not new_parent.is_open:
        raise ValidationError({"new_parent": _("The new parent organization is closed.")})
    _check_kind_under(org.kind, new_parent)
    old_parent = Organization.objects.get_parent(org) if org.depth > 1 else None
    if old_parent == new_parent:
        return org
    before = snapshot(org, _AUDIT_FIELDS)
    before["parent"] = old_parent.pk if old_parent else None
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    after = snapshot(org, _AUDIT_FIELDS)
    after["parent"] = new_parent.pk
    audit_record(actor=actor, verb="org.move", obj=org, org=org, before=before, after=after)
    return org


@transaction.atomic
def org_close(*, actor: Actor, org: Organization, on: dt.date | None = None) -> Organization:
    """Close an org that holds no members in its subtree. Records stay; it leaves the live tree."""
    require_admin(actor, org)
    if not org.is_open:
        raise ValidationError({"org": _("This organization is already closed.")})
    held = registry.subtree_member_count(org.path)
    if held:
        raise ValidationError(
            {
                "org": _("This organization still holds %(n)d members; transfer them first.")
                % {"n": held}
            }
        )
    if (
        Organization.objects.filter(path__startswith=org.path, closed_on__isnull=True)
        .exclude(pk=org.pk)
        .exists()
    ):
        raise ValidationError({"org": _("Close or move its open child organizations first.")})
    before = snapshot(org, _AUDIT_FIELDS)
    org.closed_on = on or timezone.localdate()
    org.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        verb="org.close",
        obj=org,
        org=org,
        before=before,
        after=snapshot(org, _AUDIT_FIELDS),
    )
    return org
