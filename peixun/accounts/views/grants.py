"""Grant pages: who holds what under an org, granting and revoking roles, a grant's expiry,
the secretary grant offered after an appointment, and the platform admin's new tenant.

Access, uniformly:
- anonymous → login (302);
- every page is for an org admin (inside the subtrees they administer) or a platform admin;
  anyone else gets 404, and so does an org or a grant outside the actor's admin subtrees;
- the new-tenant page is a platform admin's only (404 for everyone else).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peixun.core.forms import BootstrapMixin, DateInput, add_service_errors, error_text, render_form
from peixun.core.pagination import paginate
from peixun.core.params import absolute_url, pk_or_404
from peixun.core.pickers import picker_answer
from peixun.core.scoping import Actor, scope_of
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, attach_org_trails, orgs_administered

from .. import services
from ..models import Grant, User
from ..selectors import grants as selectors


class GrantFilterForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("role"),
        required=False,
        choices=[("", gettext_lazy("All roles")), *Grant.Role.choices],
    )
    q = forms.CharField(
        label=gettext_lazy("Name, username or mobile number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Name, username or mobile number")}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)


class GrantForm(BootstrapMixin, forms.Form):
    user = forms.IntegerField(
        label=gettext_lazy("Member with a login"),
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("Search for the member and pick one.")},
    )
    role = forms.ChoiceField(label=gettext_lazy("role"))
    org = OrgPickerField(label=gettext_lazy("organization"))
    expires_on = forms.DateField(
        label=gettext_lazy("expires on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("The last day the grant gives access; empty for no end."),
    )

    def __init__(
        self, *args: Any, org_options: QuerySet[Organization], roles: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_options  # type: ignore[attr-defined]
        # Only the roles the actor may give (the separation roles are a security admin's).
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (role, Grant.Role(role).label) for role in roles
        ]
        self.style_fields()


class ExpiryForm(BootstrapMixin, forms.Form):
    expires_on = forms.DateField(
        label=gettext_lazy("expires on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("The last day the grant gives access; empty for no end."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class TenantForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Tenant name"), max_length=120, required=False)
    code = forms.CharField(
        label=gettext_lazy("Tenant code"),
        max_length=32,
        required=False,
        help_text=gettext_lazy(
            "Unique across the platform; the codes of its organizations usually start with it."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        choices=Organization.Kind.choices,
        initial=Organization.Kind.COMMITTEE,
    )
    admin_username = forms.CharField(
        label=gettext_lazy("First org admin's username"), max_length=150, required=False
    )
    admin_mobile = forms.CharField(
        label=gettext_lazy("First org admin's mobile number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Optional; it works as a login too."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


def require_grant_admin(actor: Actor) -> None:
    if not selectors.may_administer_grants(actor):
        raise Http404


def administered_org_or_404(actor: Actor, raw: Any) -> Organization:
    try:
        return orgs_administered(actor, accounts=True).get(pk=pk_or_404(raw))
    except Organization.DoesNotExist:
        raise Http404 from None


def context_org(request: HttpRequest) -> Organization | None:
    """The org a grants page is about (`?org=`), else the actor's top administered org."""
    actor = request.user
    if request.GET.get("org"):
        return administered_org_or_404(actor, request.GET["org"])
    return selectors.admin_root_for(actor)


def list_url(org: Organization | None) -> str:
    url = reverse("accounts:grants")
    return f"{url}?org={org.pk}" if org is not None else url


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_grant_admin(actor)
    org = context_org(request)
    form = GrantFilterForm(request.GET)
    form.is_valid()  # an unknown role just drops that filter
    role = form.cleaned_data.get("role") or ""
    q = form.cleaned_data.get("q") or ""
    page, query = paginate(request, selectors.grants_listed(actor=actor, org=org, role=role, q=q))
    grants = attach_org_trails(page.object_list, lambda g: g.org)
    for grant in grants:
        grant.can_revoke = selectors.may_change_grant(actor, grant)
    if org is not None:
        attach_ancestor_names([org])
    return render(
        request,
        "accounts/grant_list.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "grants": grants,
            "query": query,
            "filtered": bool(role or q),
            "is_platform": scope_of(actor).platform,
        },
    )


@login_required
def grant_user_options(request: HttpRequest) -> HttpResponse:
    """The htmx partial of the grant form's member picker: logins found on the server."""
    actor = request.user
    require_grant_admin(actor)
    org = context_org(request)
    q = request.GET.get("q", "")[:60]
    users = selectors.grant_user_options(actor=actor, org=org, q=q)
    return render(request, "accounts/_grant_user_options.html", {"users": users, "q": q})


@login_required
def grant_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_grant_admin(actor)
    org = context_org(request)
    options = selectors.grant_org_options(actor=actor, within=org)
    q = request.GET.get("q", "")[:60]
    form = GrantForm(
        request.POST or None,
        org_options=options,
        roles=selectors.grantable_roles(actor),
        initial={"org": org and org.pk},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    picked: User | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            picked = selectors.grantable_user_or_none(actor, data["user"])
            if picked is None:
                form.add_error("user", _("Search for the member and pick one."))
            else:
                try:
                    grant = services.grant_create(
                        actor=actor,
                        user=picked,
                        role=data["role"],
                        org=data["org"],
                        expires_on=data["expires_on"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is now %(role)s of %(org)s.")
                        % {
                            "name": picked.display_name(),
                            "role": grant.get_role_display(),
                            "org": data["org"].name,
                        },
                    )
                    return redirect(list_url(org))
        else:
            picked = selectors.grantable_user_or_none(actor, request.POST.get("user"))
    if picked is not None and picked.member is not None:
        attach_ancestor_names([picked.member.org])
    return render_form(
        request,
        "accounts/grant_form.html",
        form,
        org=org,
        q=q,
        users=selectors.grant_user_options(actor=actor, org=org, q=q),
        picked=picked,
        back=list_url(org),
    )


@login_required
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a grant's expiry."""
    actor = request.user
    require_grant_admin(actor)
    grant = selectors.grant_manageable_or_404(actor, pk)
    if not selectors.may_grant_role(actor, grant.role, grant.org):
        raise Http404  # a separation role's grant, for a security administrator to change
    if grant.org is not None:
        attach_ancestor_names([grant.org])
    form = ExpiryForm(request.POST or None, initial={"expires_on": grant.expires_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_update_expiry(
                actor=actor, grant=grant, expires_on=form.cleaned_data["expires_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Changes saved."))
            return redirect(list_url(grant.org))
    return render_form(
        request, "accounts/grant_edit.html", form, grant=grant, back=list_url(grant.org)
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    require_grant_admin(actor)
    grant = selectors.grant_manageable_or_404(actor, pk)
    back = request.POST.get("next") or list_url(grant.org)
    if not back.startswith("/"):
        back = list_url(grant.org)
    described = {
        "name": grant.user.display_name(),
        "role": grant.get_role_display(),
        "org": grant.org.name if grant.org is not None else _("the platform"),
    }
    try:
        services.grant_revoke(actor=actor, grant=grant)
    except ValidationError as error:
        messages.error(request, error_text(error))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("%(name)s is no longer %(role)s of %(org)s.") % described)
    return redirect(back)


@login_required
@require_POST
def grant_secretary(request: HttpRequest) -> HttpResponse:
    """The one-click offer after a 书记/副书记/组织委员 is appointed: the secretary grant on that
    branch for the member's login (members' position page shows the button)."""
    actor = request.user
    require_grant_admin(actor)
    org = administered_org_or_404(actor, request.POST.get("org"))
    user = selectors.grantable_user_or_none(actor, request.POST.get("user"))
    if user is None or user.member is None:
        raise Http404
    try:
        services.grant_create(actor=actor, user=user, role=Grant.Role.SECRETARY, org=org)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s of %(org)s.")
            % {
                "name": user.display_name(),
                "role": Grant.Role.SECRETARY.label,
                "org": org.name,
            },
        )
    return redirect("members:detail", pk=user.member.pk)


@login_required
def tenant_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not scope_of(actor).platform:
        raise Http404  # only a platform admin starts a tenant
    form = TenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            root, admin = services.tenant_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The first admin's activation code, shown once here (the platform admin hands it over).
            issued = services.activation_code_reissue(actor=actor, user=admin)
            messages.success(
                request,
                _("Tenant %(name)s created with %(user)s as its org admin.")
                % {"name": root.name, "user": admin.username},
            )
            return render(
                request,
                "accounts/tenant_done.html",
                {
                    "root": root,
                    "admin": admin,
                    "issued": issued,
                    "activate_url": absolute_url(request, reverse("accounts:activate")),
                },
            )
    return render_form(request, "accounts/tenant_form.html", form)
