"""The audit trail's sentences for logins and grants (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import ApiToken, Grant, User

ACTIONS = {
    "grant.create": gettext_lazy("gave"),
    "grant.update": gettext_lazy("changed"),
    "account.create": gettext_lazy("created the login of"),
    "account.create_bulk": gettext_lazy("%(actor)s created the logins of %(object)s"),
    "account.activate": gettext_lazy("%(actor)s activated their login"),
    "account.deactivate": gettext_lazy("closed the login of"),
    "account.password_change": gettext_lazy("%(actor)s changed their password"),
    "account.password_reset": gettext_lazy("reset the password of"),
    "account.code_reissue": gettext_lazy("issued a new activation code to"),
    "account.slips_export": gettext_lazy("%(actor)s printed the activation slips of %(object)s"),
    "account.sessions_end": gettext_lazy("ended the sessions of"),
    "token.issue": gettext_lazy("%(actor)s issued the API token %(object)s"),
    "token.revoke": gettext_lazy("%(actor)s revoked the API token %(object)s"),
    "token.revoke_all": gettext_lazy("%(actor)s revoked every API token of %(object)s"),
    "account.idle_timeout": gettext_lazy("%(actor)s was signed out after a long idle time"),
    "account.login": gettext_lazy("%(actor)s logged in"),
    "account.logout": gettext_lazy("%(actor)s logged out"),
    "account.login_failed": gettext_lazy("A login as %(object)s failed"),
    "account.locked_out": gettext_lazy("The login %(object)s was locked after repeated failures"),
}


def _person(user: User) -> str:
    return user.display_name()


def user_names(ids: set[str]) -> Mapping[str, str]:
    rows = User.objects.filter(pk__in=int_ids(ids)).select_related("member")
    return {str(u.pk): _person(u) for u in rows}


def grant_names(ids: set[str]) -> Mapping[str, str]:
    rows = Grant.objects.filter(pk__in=int_ids(ids)).select_related("user__member", "org")
    out = {}
    for g in rows:
        values = {"user": _person(g.user), "role": g.get_role_display()}
        if g.org is not None:
            out[str(g.pk)] = _("%(user)s the role %(role)s on %(org)s") % {
                **values,
                "org": g.org.name,
            }
        else:
            out[str(g.pk)] = _("%(user)s the role %(role)s") % values
    return out


def token_names(ids: set[str]) -> Mapping[str, str]:
    rows = ApiToken.objects.filter(pk__in=int_ids(ids)).select_related("user__member")
    return {
        str(t.pk): _("“%(name)s” of %(user)s") % {"name": t.name, "user": _person(t.user)}
        for t in rows
    }


NAMERS = {
    "accounts.user": user_names,
    "accounts.grant": grant_names,
    "accounts.apitoken": token_names,
}
