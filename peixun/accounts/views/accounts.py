"""账号: an org admin's page of the members' logins in an org, and its actions.

Everything here is for an org admin over the org (or a platform admin); everyone else gets 404.
The actions are POSTs to audited services; a page that shows a code is never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import error_text
from peixun.core.pagination import paginate
from peixun.core.params import absolute_url, pk_or_404
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, attach_org_trails

from .. import documents, selectors, services
from ..services import IssuedCode


def _admin_org_or_404(request: HttpRequest, pk: int) -> Organization:
    return selectors.account_org_or_404(actor=request.user, pk=pk)


def activation_url(request: HttpRequest, code: str = "") -> str:
    path = reverse("accounts:activate")
    return absolute_url(request, f"{path}?code={code}" if code else path)


def slip_rows(request: HttpRequest, issued: list[IssuedCode]) -> list[documents.SlipRow]:
    # The branch with the orgs above it (15 branches may be called 办公室党支部), one query.
    attach_ancestor_names([i.member.org for i in issued if i.member])
    return [
        documents.SlipRow(
            name=i.member.name if i.member else i.user.display_name(),
            branch=" › ".join([*i.member.org.trail, i.member.org.name]) if i.member else "",
            login=i.login,
            code=i.code,
            expires_at=i.expires_at,
            url=activation_url(request, i.code),
        )
        for i in issued
    ]


@login_required
def accounts_home(request: HttpRequest) -> HttpResponse:
    """账号 in the menu: the first org the actor administers."""
    org = selectors.admin_orgs(actor=request.user).first()
    if org is None:
        raise Http404
    return redirect("accounts:org", pk=org.pk)


@login_required
def org_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    org = _admin_org_or_404(request, pk)
    whole = request.GET.get("scope", "subtree") != "org"
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")[:40]
    rows = selectors.account_rows(
        actor=request.user,
        org=org,
        filters=selectors.AccountFilters(include_subtree=whole, status=status, q=q),
    )
    page, query = paginate(request, rows)
    # Where the org and each member's branch sit, so same-named branches differ (one query).
    page.object_list = attach_org_trails(page.object_list, lambda m: m.org)
    attach_ancestor_names([org])
    selectors.attach_active_token_counts(page.object_list)
    counts = selectors.account_counts(actor=request.user, org=org)
    return render(
        request,
        "accounts/org_accounts.html",
        {
            "org": org,
            "page": page,
            "query": query,
            "whole": whole,
            "status": status,
            "q": q,
            "statuses": selectors.AccountStatus.CHOICES,
            "counts": [(key, label, counts[key]) for key, label in selectors.AccountStatus.CHOICES],
            "filtered": bool(q or status or not whole),
        },
    )


@login_required
@require_POST
def create_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    """Logins for the chosen members, for the org itself, or for the whole subtree."""
    org = _admin_org_or_404(request, pk)
    mode = request.POST.get("mode", "selected")
    member_ids = None
    if mode == "selected":
        member_ids = [pk_or_404(v) for v in request.POST.getlist("member")]
        if not member_ids:
            messages.warning(request, _("Choose the members first."))
            return redirect("accounts:org", pk=org.pk)
    result = services.accounts_create(
        actor=request.user, org=org, include_subtree=mode != "org", member_ids=member_ids
    )
    messages.success(
        request,
        ngettext(
            "%(n)d login created; print the activation slips for the members.",
            "%(n)d logins created; print the activation slips for the members.",
            result.created,
        )
        % {"n": result.created}
        + (
            " "
            + ngettext(
                "%(n)d member already had one.", "%(n)d members already had one.", result.skipped
            )
            % {"n": result.skipped}
            if result.skipped
            else ""
        ),
    )
    return redirect("accounts:org", pk=org.pk)


def _slips_download(
    request: HttpRequest,
    pk: int,
    build: Callable[[list[documents.SlipRow]], bytes],
    extension: str,
) -> HttpResponse:
    """The activation slips of every account awaiting activation in the org (or its subtree),
    as .docx or PDF: the same issue of fresh codes either way, so the earlier slips of those
    accounts stop working whichever file was printed."""
    org = _admin_org_or_404(request, pk)
    whole = request.POST.get("scope", "org") == "subtree"
    issued = services.activation_slips_issue(actor=request.user, org=org, include_subtree=whole)
    if not issued:
        messages.info(request, _("No login here is awaiting activation."))
        return redirect("accounts:org", pk=org.pk)
    return download(
        build(slip_rows(request, issued)),
        file_name("账号激活通知单", org.name, ext=extension),
        fallback=f"activation-slips-{org.code}.{extension}",
    )


@login_required
@require_POST
@never_cache
def slips_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _slips_download(request, pk, documents.activation_slips, "docx")


@login_required
@require_POST
@never_cache
def slips_download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _slips_download(request, pk, documents.activation_slips_pdf, "pdf")


def _code_page(request: HttpRequest, issued: IssuedCode, title: str) -> HttpResponse:
    (row,) = slip_rows(request, [issued])
    return render(request, "accounts/code.html", {"row": row, "title": title, "issued": issued})


@login_required
@require_POST
@never_cache
def member_account_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_for_account(actor=request.user, pk=pk_or_404(pk))
    if member is None:
        raise Http404
    try:
        issued = services.account_create(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("accounts:org", pk=member.org_id)
    return _code_page(request, issued, _("Login created"))


def _code_action(
    request: HttpRequest, pk: int, action: Callable[..., IssuedCode], title: str
) -> HttpResponse:
    """A new code for a member's login (a reissue or a reset), shown once; 404 outside scope."""
    user = selectors.account_user_manageable(actor=request.user, pk=pk_or_404(pk))
    if user is None or user.member is None:
        raise Http404
    try:
        issued = action(actor=request.user, user=user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("accounts:org", pk=user.member.org_id)
    return _code_page(request, issued, title)


@login_required
@require_POST
@never_cache
def account_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    return _code_action(request, pk, services.activation_code_reissue, _("New activation code"))


@login_required
@require_POST
@never_cache
def account_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _code_action(request, pk, services.password_reset, _("Password reset"))
