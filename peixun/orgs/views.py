"""Org tree pages: the lazily loaded tree, search, detail, and the write pages over the services.

Access, uniformly:
- anonymous → login (302);
- the tree, search and detail are for people with a grant; a plain member gets 404 (their page
  is 我的), and so does anyone asking for an org outside the subtrees they were granted;
- every write page (add child, rename, move, close, new root) is 404 for anyone who cannot
  administer that org, even when they can read it (a viewer, a secretary): one answer for
  "not yours to change", so a write URL never tells anyone more than the read pages do.

Query budget: the tree page and each children request run a fixed number of queries whatever
the size of the tree. `numchild` (kept by treebeard) says whether a node can be opened, and the
member counts of all the nodes on a response come from one aggregate query.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peixun.core.forms import add_service_errors, render_form
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import Actor, can_admin_org, can_read_org, scope_of

from . import selectors, services
from .forms import (
    OrgCloseForm,
    OrgCreateForm,
    OrgMoveForm,
    OrgRenameForm,
    OrgSearchForm,
)
from .models import Organization

CHILDREN_PER_REQUEST = 200


def require_reader(actor: Actor) -> None:
    scope = scope_of(actor)
    if not (scope.platform or scope.read_paths):
        raise Http404  # a plain member's page is 我的, not the tree


def readable_org_or_404(actor: Actor, pk: int) -> Organization:
    require_reader(actor)
    try:
        return selectors.orgs_readable(actor).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def administered_org_or_404(actor: Actor, pk: int) -> Organization:
    """The org for a write page: 404 unless the actor is an org admin over it (see module doc)."""
    org = readable_org_or_404(actor, pk)
    if not can_admin_org(actor, org):
        raise Http404
    return org


def wants_closed(request: HttpRequest) -> bool:
    return request.GET.get("closed") == "1"


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_reader(actor)
    form = OrgSearchForm(request.GET)
    query = (form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    include_closed = wants_closed(request)
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "include_closed": include_closed,
        "can_create_root": scope_of(actor).platform,
    }
    if query:
        results = selectors.org_search(actor=actor, q=query, include_closed=include_closed)
        context["results"] = results
        context["results_capped"] = len(results) >= selectors.SEARCH_LIMIT
    else:
        roots = list(selectors.org_roots_for(actor=actor, include_closed=include_closed))
        selectors.attach_member_counts(roots)
        selectors.attach_ancestor_names(roots)  # a granted org that is not a tenant root
        context["roots"] = roots
    return render(request, "orgs/tree.html", context)


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTMX partial: the `<li>` nodes under one org, swapped into its list on click.

    A unit with thousands of branches comes in pages of CHILDREN_PER_REQUEST; the last `<li>`
    is a "show more" button that replaces itself with the next page.
    """
    actor = request.user
    org = readable_org_or_404(actor, pk)
    include_closed = wants_closed(request)
    nodes = selectors.org_children(actor=actor, org=org, include_closed=include_closed)
    page = Paginator(nodes, CHILDREN_PER_REQUEST).get_page(request.GET.get("page"))
    selectors.attach_member_counts(page.object_list)
    return render(
        request,
        "orgs/_nodes.html",
        {
            "nodes": page.object_list,
            "page": page,
            "remaining": page.paginator.count - page.end_index(),
            "include_closed": include_closed,
            "parent": org,
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    org = readable_org_or_404(actor, pk)
    selectors.attach_ancestors(org)
    for ancestor in org.ancestors:  # type: ignore[attr-defined]
        # A secretary's breadcrumb names the unit above but links only where they may read.
        ancestor.readable = can_read_org(actor, ancestor)
    page, query = paginate(
        request, selectors.org_children(actor=actor, org=org, include_closed=True)
    )
    selectors.attach_member_counts([org, *page.object_list])
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "page": page,
            "query": query,
            "subtree_members": selectors.org_subtree_member_count(org=org),
            "can_admin": can_admin_org(actor, org),
        },
    )


@login_required
def create_root(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not scope_of(actor).platform:
        raise Http404  # only a platform admin starts a new tenant tree
    return _create(request, parent=None)


@login_required
def add_child(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, parent=administered_org_or_404(request.user, pk))


def _create(request: HttpRequest, *, parent: Organization | None) -> HttpResponse:
    form = OrgCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Organization %(name)s created.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    title = _("New child organization") if parent else _("New top-level organization")
    return render_form(request, "orgs/form.html", form, title=title, org=parent, submit=_("Save"))


@login_required
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    org = administered_org_or_404(request.user, pk)
    form = OrgRenameForm(request.POST or None, initial={"name": org.name, "code": org.code})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_rename(
                actor=request.user,
                org=org,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("orgs:detail", pk=org.pk)
    return render_form(
        request, "orgs/form.html", form, title=_("Rename organization"), org=org, submit=_("Save")
    )


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org = administered_org_or_404(request.user, pk)
    targets = selectors.org_move_targets(actor=request.user, org=org)
    form = OrgMoveForm(request.POST or None, targets=targets)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        new_parent = form.cleaned_data["new_parent"]
        try:
            services.org_move(actor=request.user, org=org, new_parent=new_parent)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s moved under %(parent)s with all its suborganizations.")
                % {"name": org.name, "parent": new_parent.name},
            )
            return redirect("orgs:detail", pk=org.pk)
    return render_form(
        request,
        "orgs/form.html",
        form,
        title=_("Move organization"),
        org=org,
        submit=_("Move"),
        no_choice=not form.has_targets,
        no_choice_text=_("There is no other organization you administer that can take this one."),
    )


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    org = administered_org_or_404(request.user, pk)
    form = OrgCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_close(actor=request.user, org=org, on=form.cleaned_data["on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Organization %(name)s closed.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render_form(
        request,
        "orgs/form.html",
        form,
        title=_("Close organization"),
        org=org,
        submit=_("Close"),
        warning=_(
            "A closed organization leaves the live tree; its records stay. "
            "Only an organization without members and without open child organizations can close."
        ),
    )
