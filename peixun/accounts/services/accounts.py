"""Logins for members: creation one at a time or a whole branch at once, activation codes,
activation, password change and reset, and the end of a departed member's login.

A new account has an unusable password and a one-time activation code; the member sets their
own password with it. Codes are random, typed from paper, stored only as a keyed hash, expire
after `CODE_LIFETIME` and work once; a new code for a user voids the older unused ones.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.crypto import keyed_hash, keyed_hashes
from peixun.core.permissions import require_account_admin, require_platform
from peixun.core.scoping import Actor, actor_id
from peixun.core.text import fold_width
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import ActivationCode, User
from .sessions import sessions_end_all
from .tokens import tokens_revoke_all

CODE_LIFETIME = dt.timedelta(days=14)
# No 0/O, 1/I/L: a code is read off paper by people who may not know which is which.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
BATCH_SIZE = 1000
USERNAME_PREFIX = "dy"


def invalid_code_message() -> str:
    return _("This activation code is not valid. It may be mistyped, used or expired.")


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the raw value exists only here, to be shown or printed once."""

    user: User
    member: Member | None
    code: str
    expires_at: dt.datetime

    @property
    def login(self) -> str:
        return self.user.mobile or self.user.username


@dataclass
class BulkResult:
    issued: list[IssuedCode] = field(default_factory=list)
    skipped: int = 0

    @property
    def created(self) -> int:
        return len(self.issued)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What the member typed, as the code: full-width folded, separators and spaces dropped,
    upper case."""
    text = fold_width(raw or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def format_code(code: str) -> str:
    """The code grouped for reading off paper: ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}" if len(code) > 5 else code


def code_hash(code: str) -> str:
    return keyed_hash("activation-code:" + normalize_code(code))


def username_for(member: Member) -> str:
    """A member's login name: stable, derived from the member record."""
    return f"{USERNAME_PREFIX}{member.pk:06d}"


def _locked_user(actor: Actor, user: User) -> User:
    """`user` read again under a lock (the caller's copy may be stale), once the actor is known
    to administer it: an admin over the member's org, or a platform admin for a login without
    a member."""
    user = (
        User.objects.select_for_update(of=("self",)).select_related("member__org").get(pk=user.pk)
    )
    if user.member is None:
        require_platform(actor)
    else:
        require_account_admin(actor, user.member.org)
    return user


def _void_open_codes(user_ids: Iterable[int], now: dt.datetime) -> int:
    return ActivationCode.objects.filter(
        user_id__in=list(user_ids), used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)


def _issue(*, actor: Actor | None, user: User, member: Member | None) -> IssuedCode:
    now = timezone.now()
    _void_open_codes([user.pk], now)
    raw = new_code()
    expires = now + CODE_LIFETIME
    ActivationCode.objects.create(
        user=user, code_hash=code_hash(raw), expires_at=expires, created_by_id=actor_id(actor)
    )
    return IssuedCode(user=user, member=member, code=format_code(raw), expires_at=expires)


def _new_users(members: Sequence[Member]) -> list[User]:
    """Unsaved users for `members`: two queries, whatever their number (names and mobiles in use)."""
    names = {m.pk: username_for(m) for m in members}
    taken_names = set(
        User.objects.filter(username__in=names.values()).values_list("username", flat=True)
    )
    mobiles = {m.mobile for m in members if m.mobile}
    taken_mobiles = set(User.objects.filter(mobile__in=mobiles).values_list("mobile", flat=True))
    users: list[User] = []
    for member in members:
        name = names[member.pk]
        if name in taken_names:
            name = f"{name}-{secrets.token_hex(3)}"
        mobile = member.mobile or None
        if mobile in taken_mobiles:
            mobile = None  # another login answers to it; this one logs in by its username
        elif mobile:
            taken_mobiles.add(mobile)
        users.append(
            User(
                username=name,
                mobile=mobile,
                member=member,
                password=make_password(None),
                is_active=True,
            )
        )
    return users


def _create_accounts(*, actor: Actor | None, members: Sequence[Member]) -> list[IssuedCode]:
    """Users and codes for `members` (none of whom has a login), a constant number of queries."""
    users = User.objects.bulk_create(_new_users(members))
    if any(u.pk is None for u in users):  # a backend that returns no keys: read them back
        by_member: dict[int | None, int] = dict(
            User.objects.filter(member__in=members).values_list("member_id", "pk")
        )
        for user in users:
            user.pk = by_member[user.member_id]
    now = timezone.now()
    expires = now + CODE_LIFETIME
    raws = [new_code() for _ in users]
    creator = actor_id(actor)
    ActivationCode.objects.bulk_create(
        [
            ActivationCode(
                user_id=u.pk,
                code_hash=code_hash(raw),
                expires_at=expires,
                created_by_id=creator,
                created_at=now,
            )
            for u, raw in zip(users, raws, strict=True)
        ]
    )
    return [
        IssuedCode(user=u, member=u.member, code=format_code(raw), expires_at=expires)
        for u, raw in zip(users, raws, strict=True)
    ]


@transaction.atomic
def account_create(*, actor: Actor, member: Member) -> IssuedCode:
    """One login for a member of the actor's subtree; the raw activation code is returned once."""
    require_account_admin(actor, member.org)
    if User.objects.filter(member=member).exists():
        raise ValidationError(
            {"member": _("%(name)s already has a login.") % {"name": member.name}}
        )
    (issued,) = _create_accounts(actor=actor, members=[member])
    audit_record(
        actor=actor,
        verb="account.create",
        obj=issued.user,
        org=member.org,
        object_repr=member.name,
        after={"member": member.pk, "username": issued.user.username},
    )
    return issued


@transaction.atomic
def account_create_outside(
    *, actor: Actor, org: Organization, username: str, full_name: str, mobile: str = ""
) -> IssuedCode:
    """A login for someone who is not a member (an outside teacher of the 师资库), answerable to
    the account admins of `org`; it holds no grant, so it sees only what is its own. The raw
    activation code is returned once."""
    require_account_admin(actor, org)
    if User.objects.filter(username=username).exists():
        username = f"{username}-{secrets.token_hex(3)}"
    mobile_value = mobile or None
    if mobile_value and User.objects.filter(mobile=mobile_value).exists():
        mobile_value = None  # another login answers to it; this one logs in by its username
    user = User.objects.create(
        username=username,
        first_name=full_name[:150],
        mobile=mobile_value,
        password=make_password(None),
        is_active=True,
    )
    issued = _issue(actor=actor, user=user, member=None)
    audit_record(
        actor=actor,
        verb="account.create",
        obj=user,
        org=org,
        object_repr=full_name,
        after={"member": None, "username": user.username},
    )
    return issued


def _org_members(org: Organization, include_subtree: bool) -> Q:
    return Q(org__path__startswith=org.path) if include_subtree else Q(org=org)


@transaction.atomic
def accounts_create(
    *,
    actor: Actor,
    org: Organization,
    include_subtree: bool = True,
    member_ids: Sequence[int] | None = None,
) -> BulkResult:
    """Logins for every member of `org` (or its subtree) without one, or for the chosen members
    among them, in one step: users and codes in batches, one audit event with the counts.
    Members who already have a login are skipped and counted."""
    require_account_admin(actor, org)
    wanted = Member.objects.filter(_org_members(org, include_subtree))
    if member_ids is not None:
        wanted = wanted.filter(pk__in=list(member_ids))
    result = BulkResult(skipped=wanted.filter(user__isnull=False).count())
    pending = wanted.filter(user__isnull=True).order_by("pk").select_related("org")
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last)[:BATCH_SIZE])
        if not batch:
            break
        result.issued.extend(_create_accounts(actor=actor, members=batch))
        last = batch[-1].pk
    audit_record(
        actor=actor,
        verb="account.create_bulk",
        obj=org,
        org=org,
        after={
            "created": result.created,
            "skipped": result.skipped,
            "include_subtree": include_subtree,
            "chosen": len(member_ids) if member_ids is not None else None,
        },
    )
    return result


def accounts_create_for_org(
    *, actor: Actor, org: Organization, include_subtree: bool
) -> BulkResult:
    """Every member in `org` (or its subtree) without a login gets one."""
    return accounts_create(actor=actor, org=org, include_subtree=include_subtree)


@transaction.atomic
def activation_code_reissue(*, actor: Actor, user: User) -> IssuedCode:
    """A fresh code for an account not yet activated; older unused codes stop working."""
    user = _locked_user(actor, user)
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))
    if user.has_usable_password():
        raise ValidationError(_("This account is already activated; reset its password instead."))
    issued = _issue(actor=actor, user=user, member=user.member)
    audit_record(
        actor=actor,
        verb="account.code_reissue",
        obj=user,
        org=user.member.org if user.member else None,
        object_repr=user.display_name(),
    )
    return issued


@transaction.atomic
def password_reset(*, actor: Actor, user: User) -> IssuedCode:
    """By an admin of the member's subtree: the password stops working and the member gets a new
    activation code to set another (an admin never learns or chooses a member's password)."""
    user = _locked_user(actor, user)
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))
    if actor_id(actor) == user.pk:
        raise ValidationError(_("Change your own password on the password page."))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    # Whoever knew the old password is out: every session and API token of the login ends.
    sessions_end_all(user)
    tokens_revoke_all(actor=actor, user=user, reason="password_reset")
    issued = _issue(actor=actor, user=user, member=user.member)
    audit_record(
        actor=actor,
        verb="account.password_reset",
        obj=user,
        org=user.member.org if user.member else None,
        object_repr=user.display_name(),
    )
    return issued


@transaction.atomic
def activation_slips_issue(
    *, actor: Actor, org: Organization, include_subtree: bool = False
) -> list[IssuedCode]:
    """Fresh codes for every account in `org` (or its subtree) still awaiting activation, for
    printing their slips: a code is never stored in the clear, so a slip can only carry a new one.
    Older unused codes of those accounts stop working. One audit event with the count."""
    require_account_admin(actor, org)
    users = list(
        User.objects.filter(
            Q(member__org__path__startswith=org.path) if include_subtree else Q(member__org=org),
            is_active=True,
            password__startswith="!",
        )
        .select_related("member__org")
        .order_by("member__org__path", "member__name", "pk")
    )
    now = timezone.now()
    expires = now + CODE_LIFETIME
    issued: list[IssuedCode] = []
    creator = actor_id(actor)
    for start in range(0, len(users), BATCH_SIZE):
        chunk = users[start : start + BATCH_SIZE]
        _void_open_codes((u.pk for u in chunk), now)
        raws = [new_code() for _ in chunk]
        ActivationCode.objects.bulk_create(
            [
                ActivationCode(
                    user_id=u.pk, code_hash=code_hash(r), expires_at=expires, created_by_id=creator
                )
                for u, r in zip(chunk, raws, strict=True)
            ]
        )
        issued.extend(
            IssuedCode(user=u, member=u.member, code=format_code(r), expires_at=expires)
            for u, r in zip(chunk, raws, strict=True)
        )
    audit_record(
        actor=actor,
        verb="account.slips_export",
        obj=org,
        org=org,
        after={"codes": len(issued), "include_subtree": include_subtree},
    )
    return issued


@transaction.atomic
def account_activate(*, code: str, password: str, username_or_mobile: str = "") -> User:
    """Anonymous: set the first password with an activation code. A wrong, used or expired code
    (or a login that does not match it) gets one message that does not say which.
    Counting failures is django-axes' job."""
    # A slip printed before a field-key rotation still works: its code was hashed under the old key.
    digests = keyed_hashes("activation-code:" + normalize_code(code))
    now = timezone.now()
    row: ActivationCode | None = (
        ActivationCode.objects.select_for_update()
        .select_related("user")
        .filter(
            code_hash__in=digests, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now
        )
        .first()
        if normalize_code(code)
        else None
    )
    user = row.user if row is not None else None
    login = fold_width(username_or_mobile or "").strip()
    if (
        row is None
        or user is None
        or not user.is_active
        or (login and login not in (user.username, user.mobile or ""))
    ):
        raise ValidationError({"code": invalid_code_message()})
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    row.used_at = now
    row.save(update_fields=["used_at"])
    _void_open_codes([user.pk], now)
    audit_record(
        actor=user,
        verb="account.activate",
        obj=user,
        org=user.member.org if user.member_id and user.member else None,
        object_repr=user.display_name(),
    )
    return user


@transaction.atomic
def password_change(*, actor: Actor, old: str, new: str) -> User:
    """Anyone signed in changes their own password, through Django's password validators.
    Their other sessions and every API token end (the page keeps its own session signed in)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old):
        raise ValidationError({"old": _("Your current password is wrong.")})
    validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    sessions_end_all(user)
    tokens_revoke_all(actor=user, user=user, reason="password_change")
    audit_record(
        actor=user, verb="account.password_change", obj=user, object_repr=user.display_name()
    )
    return user


@transaction.atomic
def accounts_deactivate_departed(*, actor: Actor | None, member: Member, reason: str = "") -> int:
    """The login of a member who left the tenant stops at once: disabled, codes voided.
    Registered as a `members.registry` departure listener; answers how many logins it disabled."""
    users = list(User.objects.filter(member=member, is_active=True))
    if not users:
        return 0
    now = timezone.now()
    User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)
    _void_open_codes((u.pk for u in users), now)
    for user in users:
        sessions_end_all(user)
        tokens_revoke_all(actor=actor, user=user, reason="deactivated")
        audit_record(
            actor=actor,
            verb="account.deactivate",
            obj=user,
            org=member.org,
            object_repr=member.name,
            after={"reason": reason or "departed"},
        )
    return len(users)
