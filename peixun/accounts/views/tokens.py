"""API 令牌: a user's own personal API tokens (list, create, revoke), and an org admin's view of
the tokens of a login they manage (list, revoke).

The secret of a new token is shown once, on the page the creation answers with, never again
(the page is not cached). Someone else's tokens are a 404 unless the reader administers that
login (an org admin over the member's org, or a platform admin).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, error_text, render_form
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404

from .. import selectors, services
from ..forms import ApiTokenForm
from ..models import User


def _token_page(
    request: HttpRequest, owner: User, form: ApiTokenForm | None, issued: str = ""
) -> HttpResponse:
    page, query = paginate(request, selectors.tokens_of(actor=request.user, user=owner))
    own = owner.pk == request.user.pk
    return render_form(
        request,
        "accounts/tokens.html",
        form or ApiTokenForm(),
        owner=owner,
        own=own,
        can_create=form is not None,
        page=page,
        query=query,
        issued=issued,
    )


@login_required
@never_cache
def my_tokens(request: HttpRequest) -> HttpResponse:
    """The reader's own tokens, and the form that issues a new one (its secret shown once)."""
    owner = selectors.token_owner_manageable(actor=request.user, pk=request.user.pk)
    if owner is None:
        raise Http404
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_issue(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            return _token_page(request, owner, ApiTokenForm(), issued=issued.raw)
    return _token_page(request, owner, form)


@login_required
def user_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin's view of the tokens of a login they manage: list and revoke, never create."""
    owner = selectors.token_owner_manageable(actor=request.user, pk=pk_or_404(pk))
    if owner is None:
        raise Http404
    if owner.pk == request.user.pk:
        return redirect("accounts:tokens")
    return _token_page(request, owner, None)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_visible(actor=request.user, pk=pk_or_404(pk))
    if token is None:
        raise Http404
    try:
        services.token_revoke(actor=request.user, token=token)
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    if token.user_id == request.user.pk:
        return redirect("accounts:tokens")
    return redirect("accounts:user_tokens", pk=token.user_id)
