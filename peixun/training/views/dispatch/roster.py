"""The roster tab, its exports, a unit's places to fill and the dispatch notices (one, or all
those the reader may download at once)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from peixun.core.downloads import download, file_name
from peixun.core.pagination import paginate
from peixun.core.scoping import Actor, can_manage_org, get_visible_or_404, scope_of
from peixun.members.models import Member

from ... import selectors
from ...models import Enrolment, TrainingClass
from ...selectors.audience import audience_text
from ...services import dispatch as services
from .common import ROSTER_TABS, class_or_404, decorate, roster_figures

# -- places to fill ------------------------------------------------------------------------------


@login_required
def my_places(request: HttpRequest) -> HttpResponse:
    """A unit's places in published classes, with places used and left and a link to nominate."""
    scope = scope_of(request.user)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    q = request.GET.get("q", "").strip()
    qs = selectors.places_to_fill(request.user, q=q)
    page, query = paginate(request, qs)
    return render(request, "training/my_places.html", {"page": page, "query": query, "q": q})


# -- the roster ----------------------------------------------------------------------------------


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    training_class = class_or_404(request, pk)
    paths = selectors.roster_reader_paths(actor, training_class)
    if paths is not None and not paths:
        raise PermissionDenied(_("The roster is for the organiser and the units with places."))
    counts = selectors.roster_state_counts(actor, training_class)
    state = request.GET.get("state", "")
    if state not in ROSTER_TABS:
        state = "nominated" if counts["nominated"] else "accepted"
    q = request.GET.get("q", "").strip()
    page, query = paginate(
        request, selectors.roster_enrolments(actor, training_class, state=state, q=q)
    )
    rows = list(page.object_list)
    decorate(request, training_class, rows)
    all_quotas = selectors.dispatch_quotas(training_class)
    if paths is None:
        quotas = all_quotas
    else:
        quotas = [q_ for q_ in all_quotas if any(q_.org.path.startswith(p) for p in paths)]
    organiser = can_manage_org(actor, training_class.org)
    published = training_class.state == TrainingClass.State.PUBLISHED
    for quota in quotas:
        quota.can_nominate = published and can_manage_org(actor, quota.org)  # type: ignore[attr-defined]
    return render(
        request,
        "training/roster.html",
        {
            "training_class": training_class,
            "active_tab": "roster",
            "state": state,
            "counts": counts,
            "q": q,
            "page": page,
            "query": query,
            "rows": rows,
            "quotas": quotas,
            "figures": roster_figures(training_class, all_quotas),
            "organiser": organiser,
            "published": published,
            "full_view": paths is None,
            "audience": audience_text(training_class),
            # What the documents card offers: the notices and certificates the reader may
            # download (the batch routes hand out exactly these).
            "notice_count": len(selectors.notice_enrolments(actor, training_class)),
            "certificate_count": len(selectors.class_certificates(actor, training_class)),
        },
    )


ROSTER_FORMATS = ("xlsx", "docx", "pdf")


@login_required
@never_cache
def roster_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ROSTER_FORMATS:
        raise Http404
    actor = request.user
    training_class = class_or_404(request, pk)
    paths = selectors.roster_reader_paths(actor, training_class)
    if paths is not None and not paths:
        raise PermissionDenied(_("The roster is for the organiser and the units with places."))
    rows = list(selectors.roster_enrolments(actor, training_class, state="accepted")) + list(
        selectors.roster_enrolments(actor, training_class, state="nominated")
    )
    data = services.roster_export(
        actor=actor, training_class=training_class, enrolments=rows, fmt=fmt
    )
    return download(
        data,
        file_name("学员名单", training_class.title, ext=fmt),
        fallback=f"roster-{training_class.pk}.{fmt}",
    )


# -- the dispatch notice -------------------------------------------------------------------------


def notice_enrolment(
    actor: Actor, training_class: TrainingClass, member_pk: str | None
) -> Enrolment:
    """The accepted enrolment whose notice the actor asks for: without `member`, their own;
    with it, a member the organiser or the member's unit manages (403 for other readers)."""
    scope = scope_of(actor)
    if member_pk:
        member = get_visible_or_404(actor, Member, member_pk)
    elif scope.member_id:
        member = selectors.member_get(scope.member_id)
    else:
        raise Http404
    enrolment = selectors.accepted_enrolment(training_class, member)
    if enrolment is None:
        raise Http404
    if member.pk == scope.member_id:
        return enrolment
    allowed = (
        can_manage_org(actor, training_class.org)
        or can_manage_org(actor, member.org)
        or (enrolment.quota is not None and can_manage_org(actor, enrolment.quota.org))
    )
    if not allowed:
        raise PermissionDenied(
            _("Only the member, the organiser and the member's unit may download the notice.")
        )
    return enrolment


@login_required
@never_cache
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as .docx: the address the pages linked to before PDF was offered."""
    return notice_file(request, pk, "docx")


@login_required
@never_cache
def notice_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in services.NOTICE_FORMATS:
        raise Http404
    training_class = class_or_404(request, pk)
    enrolment = notice_enrolment(request.user, training_class, request.GET.get("member"))
    data = services.notice_export(actor=request.user, enrolment=enrolment, fmt=fmt)
    return download(
        data,
        services.notice_file_name(enrolment, fmt),
        fallback=f"notice-{training_class.pk}-{enrolment.member_id}.{fmt}",
    )


BATCH_NAMES = {
    "pdf": ("调训通知", "pdf", "notices-{pk}.pdf"),
    "zip": ("调训通知", "zip", "notices-{pk}.zip"),
    "pdf.zip": ("调训通知（PDF）", "zip", "notices-pdf-{pk}.zip"),
}


def documents_page(actor: Actor, training_class: TrainingClass) -> str:
    """Where a batch download sends someone back to when there is nothing to download: the
    roster for those who read it, the class otherwise."""
    paths = selectors.roster_reader_paths(actor, training_class)
    name = "training:detail" if paths is not None and not paths else "training:roster"
    return reverse(name, args=[training_class.pk])


@login_required
@never_cache
def notices_batch(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Every notice of the class the actor may download (`selectors.notice_enrolments`) as one
    PDF (.pdf) or a .zip of .docx (.zip) or of PDF files (.pdf.zip)."""
    if fmt not in services.BATCH_FORMATS:
        raise Http404
    actor = request.user
    training_class = class_or_404(request, pk)
    enrolments = selectors.notice_enrolments(actor, training_class)
    if not enrolments:
        messages.info(request, _("Nobody is accepted yet whose dispatch notice you may download."))
        return redirect(documents_page(actor, training_class))
    data = services.notices_export(
        actor=actor, training_class=training_class, enrolments=enrolments, fmt=fmt
    )
    label, ext, fallback = BATCH_NAMES[fmt]
    return download(
        data,
        file_name(label, training_class.title, ext=ext),
        fallback=fallback.format(pk=training_class.pk),
    )
