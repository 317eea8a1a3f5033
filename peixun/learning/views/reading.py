"""Pages of the 必读书目. Staff: the lists (of their orgs, above and below), a list with its books
and its progress per branch, the progress 台账, and the queue of 心得 to approve or return (also
decided on the hours pending page: a 心得 with hours is a self-study filing). A plain member gets
404 there. Members, phone first: 我的书目 with each book's state, and a book's page with its quiz
link and the 心得 form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404, year_param
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org
from peixun.plans.selectors import manageable_orgs

from ..forms.reading import BookForm, ReadingListForm, ReflectionForm, ReturnForm
from ..models.reading import Book, ReadingList
from ..selectors import reading as selectors
from ..selectors.classes import require_staff
from ..services import reading as services

TABS = ("books", "progress", "none")


# -- staff -------------------------------------------------------------------------------------


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    lists = selectors.reading_lists(request.user, year=year, q=q)
    page, query = paginate(request, lists)
    return render(
        request,
        "learning/reading_lists.html",
        {"page": page, "query": query, "q": q, "year": year or "",
         "can_create": manageable_orgs(request.user).exists(),
         "pending": selectors.reflections_pending(request.user).count()},
    )  # fmt: skip


def _managed(request: HttpRequest, pk: int) -> ReadingList:
    reading_list = selectors.reading_list_for_staff(request.user, pk)
    if not can_manage_org(request.user, reading_list.org):
        raise PermissionDenied(_("You may not change records of this organization."))
    return reading_list


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


@login_required
def list_new(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    orgs = manageable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("You may not change records of this organization."))
    form = ReadingListForm(
        request.POST or None, orgs=orgs, initial={"org": orgs.first(), "year": year_param(request)}
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            reading_list = services.reading_list_create(
                actor=request.user, org=form.cleaned_data["org"], data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The list was saved: add its books."))
            return redirect("learning:reading_book_new", pk=reading_list.pk)
    return _form_page(request, "learning/reading_list_form.html", form, reading_list=None)


@login_required
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reading_list = _managed(request, pk)
    form = ReadingListForm(
        request.POST or None,
        orgs=manageable_orgs(request.user),
        initial={"org": reading_list.org, "year": reading_list.year,
                 "title": reading_list.title, "note": reading_list.note},
        editing=True,
    )  # fmt: skip
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_list_update(
                actor=request.user, reading_list=reading_list, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The list was saved."))
            return redirect("learning:reading_list", pk=reading_list.pk)
    return _form_page(request, "learning/reading_list_form.html", form, reading_list=reading_list)


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    reading_list = selectors.reading_list_for_staff(actor, pk)
    tab = request.GET.get("tab") or "books"
    if tab not in TABS:
        tab = "books"
    context: dict[str, Any] = {
        "reading_list": reading_list,
        "tab": tab,
        "can_manage": can_manage_org(actor, reading_list.org),
    }
    if tab == "books":
        context["books"] = selectors.list_books(reading_list)
    elif tab == "progress":
        books, rows, total = selectors.list_progress(actor, reading_list)
        context.update(
            {"required": books, "rows": [(r, r.counts(books)) for r in rows], "total": total,
             "total_counts": total.counts(books)}
        )  # fmt: skip
    else:
        q = (request.GET.get("q") or "").strip()
        waiting = selectors.readers_without_credit(actor, reading_list)
        if q:
            waiting = waiting.filter(name__icontains=q)
        context["waiting"], context["query"] = paginate(request, waiting)
        context["q"] = q
    return render(request, "learning/reading_list_detail.html", context)


def _book_form(request: HttpRequest, reading_list: ReadingList, book: Book | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if book is not None:
        initial = {name: getattr(book, name) for name in services.BOOK_FIELDS}
    form = BookForm(
        request.POST or None, exams=selectors.quiz_choices(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if book is None:
                services.book_add(
                    actor=request.user, reading_list=reading_list, data=form.cleaned_data
                )
            else:
                services.book_update(actor=request.user, book=book, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The book was saved."))
            return redirect("learning:reading_list", pk=reading_list.pk)
    return _form_page(
        request, "learning/reading_book_form.html", form, reading_list=reading_list, book=book
    )


@login_required
def book_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _book_form(request, _managed(request, pk), None)


@login_required
def book_edit(request: HttpRequest, pk: int, book_id: int) -> HttpResponse:
    reading_list = _managed(request, pk)
    book = selectors.book_for_staff(request.user, reading_list, book_id)
    return _book_form(request, reading_list, book)


@login_required
@require_POST
def book_remove(request: HttpRequest, pk: int, book_id: int) -> HttpResponse:
    reading_list = _managed(request, pk)
    book = selectors.book_for_staff(request.user, reading_list, book_id)
    try:
        services.book_remove(actor=request.user, book=book)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The book was removed from the list."))
    return redirect("learning:reading_list", pk=reading_list.pk)


@login_required
def progress_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    reading_list = selectors.reading_list_for_staff(request.user, pk)
    content = services.reading_progress_export(actor=request.user, reading_list=reading_list)
    return download(
        content,
        file_name(reading_list.title, "读书台账", ext="xlsx"),
        fallback=f"reading-list-{reading_list.pk}-progress.xlsx",
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The 心得 waiting for the actor's decision, oldest first."""
    page, query = paginate(request, selectors.reflections_pending(request.user))
    return render(
        request,
        "learning/reading_queue.html",
        {"page": page, "query": query, "return_form": ReturnForm()},
    )


@login_required
@require_POST
def reflection_approve(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = selectors.reflection_for_staff(request.user, pk)
    try:
        reflection = services.reflection_approve(actor=request.user, reflection=reflection)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if reflection.state == reflection.State.APPROVED:
            messages.success(request, _("The reflection was approved: the book is credited."))
        else:
            messages.success(request, _("Approved at the first stage: the org admin decides next."))
    return redirect("learning:reading_queue")


@login_required
@require_POST
def reflection_return(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = selectors.reflection_for_staff(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell the member why."))
        return redirect("learning:reading_queue")
    try:
        services.reflection_return(
            actor=request.user, reflection=reflection, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reflection was returned to the member."))
    return redirect("learning:reading_queue")


# -- the member's pages ------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的书目: this year's lists that apply to me, each book's state."""
    year = year_param(request, lowest=2000, highest=2100)
    lists = selectors.my_reading(request.user, year=year)
    return render(request, "learning/reading_mine.html", {"lists": lists, "year": year})


@login_required
def my_book(request: HttpRequest, book_id: int) -> HttpResponse:
    """A book of mine: its quiz, my 心得 (its state, the reason it was returned) and the form."""
    row = selectors.my_book(request.user, pk_or_404(book_id))
    form = ReflectionForm(request.POST or None)
    if request.method == "POST":
        if not row.can_reflect:
            messages.error(request, _("This book takes no new reflection now."))
            return redirect("learning:reading_book", book_id=row.book.pk)
        if form.is_valid():
            try:
                services.reflection_file(
                    actor=request.user, book=row.book, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Your reflection was sent to your branch for approval.")
                )
                return redirect(
                    f"{reverse('learning:reading_mine')}?year={row.book.reading_list.year}"
                )
    return _form_page(request, "learning/reading_book.html", form, row=row)
