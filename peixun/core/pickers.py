"""Pickers that search on the server: a select of an org or a member among thousands.

A picker field is a `ModelChoiceField` whose queryset, set by the form as for any choice field,
is the whole candidate set (the actor's scope, the kinds allowed). Its select renders only the
chosen option; `static/core/pickers.js` turns it into a Tom Select that asks the server for
matches as the user types. The server that answers is the page showing the form: a GET with
`?pick=<field>&pick_q=<text>&pick_page=<n>` is answered by `picker_answer(request, form)` from
the same field's queryset, so the options offered, the options accepted on submit and the
page's access rules are one and the same. A form shown by a page that cannot answer (one
re-rendered by a POST-only view) names the page that can with `set_picker_url`. The subclasses (`orgs.forms.OrgPickerField`,
`members.forms.MemberPickerField`) say how to search and how to label.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

PICK_PARAM = "pick"
QUERY_PARAM = "pick_q"
PAGE_PARAM = "pick_page"
PAGE_SIZE = 20
MAX_QUERY = 60


class PickerSelect(forms.Select):
    """A select holding only the chosen option; pickers.js fetches the others as one types."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = name
        widget_attrs["data-picker-none"] = gettext("Nothing matches.")
        widget_attrs["data-picker-more"] = gettext("Loading more…")
        return context

    def optgroups(
        self, name: str, value: list[str], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        # ModelChoiceField hands its widget an iterator that knows the field; ask the field for
        # the labels of the chosen values only, never for the whole candidate set.
        field = getattr(self.choices, "field", None)
        chosen = field.chosen_options(value) if isinstance(field, PickerFieldMixin) else []
        empty_label = getattr(field, "empty_label", None) or ""
        options = [self.create_option(name, "", empty_label, not chosen, 0, attrs=attrs)]
        for index, (option_value, label) in enumerate(chosen, start=1):
            options.append(self.create_option(name, option_value, label, True, index, attrs=attrs))
        return [(None, options, 0)]


class PickerFieldMixin:
    """What a picker field adds to `ModelChoiceField`: search, batched labels, the chosen ones."""

    queryset: Any

    def label_from_instance(self, obj: Any) -> str:
        raise NotImplementedError

    placeholder: Any = ""

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        """The candidates matching `text`, in the order to offer them."""
        raise NotImplementedError

    def prepare_labels(self, objs: list[Any]) -> None:
        """Attach what the labels need to all of `objs` at once (one query, not one per row)."""

    def labelled(self, objs: list[Any]) -> list[tuple[str, str]]:
        self.prepare_labels(objs)
        return [(str(obj.pk), self.label_from_instance(obj)) for obj in objs]

    def chosen_options(self, values: Iterable[Any]) -> list[tuple[str, str]]:
        """The chosen values that are candidates, labelled; anything else is left out."""
        pks = [int(v) for v in values if str(v).isdigit() and 0 < int(v) < 2**63]
        if not pks or self.queryset is None:
            return []
        return self.labelled(list(self.queryset.filter(pk__in=pks)))

    def matches(self, text: str, page: int) -> tuple[list[tuple[str, str]], bool]:
        """One page of the candidates matching `text` (all of them for no text), and whether
        there are more."""
        start = (page - 1) * PAGE_SIZE
        found = list(self.search(self.queryset, text)[start : start + PAGE_SIZE + 1])
        return self.labelled(found[:PAGE_SIZE]), len(found) > PAGE_SIZE


class PickerChoiceField(PickerFieldMixin, forms.ModelChoiceField[Any]):
    widget = PickerSelect

    def __init__(self, *, queryset: Any, empty_label: Any = "", **kwargs: Any) -> None:
        # No "---------": an empty picker shows its placeholder.
        super().__init__(queryset=queryset, empty_label=empty_label, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if self.placeholder:
            attrs["placeholder"] = self.placeholder
        return attrs


def set_picker_url(field: forms.Field, url: str) -> None:
    """Have the picker ask `url` (a page calling `picker_answer` with the same form)."""
    field.widget.attrs["data-picker-url"] = url


def _page_number(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return page if 0 < page < 1000 else 1


def picker_answer(request: HttpRequest, *forms_on_page: forms.Form) -> HttpResponse | None:
    """The answer to a picker's search on this page, or None when the request is not one.

    Call it in a view once the page's forms are built, before anything else is read:
    `if (answer := picker_answer(request, form)) is not None: return answer`."""
    name = request.GET.get(PICK_PARAM)
    if not name or request.method != "GET":
        return None
    field = _picker_named(name, forms_on_page)
    if field is None:
        raise Http404
    text = (request.GET.get(QUERY_PARAM) or "").strip()[:MAX_QUERY]
    options, more = field.matches(text, _page_number(request.GET.get(PAGE_PARAM)))
    return JsonResponse(
        {"results": [{"value": v, "text": label} for v, label in options], "more": more}
    )


def _picker_named(name: str, forms_on_page: Sequence[forms.Form]) -> PickerFieldMixin | None:
    for form in forms_on_page:
        for field_name, field in form.fields.items():
            if form.add_prefix(field_name) == name and isinstance(field, PickerFieldMixin):
                return None if field.disabled else field
    return None
