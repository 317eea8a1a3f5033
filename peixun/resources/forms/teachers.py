"""Forms of the 师资库: the pool's search, a teacher's record, leaving the pool, and the picker
the training session form uses to name a teacher of the pool."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.core.pickers import PickerChoiceField
from peixun.core.text import fold_width
from peixun.members.forms import MemberPickerField
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization

from ..models import Subject, Teacher, TeacherTitle

ACTIVE_CHOICES = [
    ("yes", _("In the pool")),
    ("no", _("Left the pool")),
    ("all", _("All teachers")),
]


class TeacherFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or work unit")}),
    )
    subject = forms.ChoiceField(
        label=_("subject"), required=False, choices=blank_first(Subject.choices, _("All subjects"))
    )
    title = forms.ChoiceField(
        label=_("professional title"),
        required=False,
        choices=blank_first(TeacherTitle.choices, _("Any title")),
    )
    keeper = OrgPickerField(label=_("kept by"), required=False, empty_label=_("Any keeper"))
    active = forms.ChoiceField(label=_("in the pool"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, keepers: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keeper"].queryset = keepers  # type: ignore[attr-defined]
        self.style_fields(small=True)

    def search(self) -> dict[str, Any]:
        """The arguments of `selectors.teachers_search` (an invalid filter is dropped)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        active = {"yes": True, "no": False, "all": None}.get(data.get("active") or "yes", True)
        keeper = data.get("keeper")
        return {
            "text": fold_width(data.get("q") or "").strip(),
            "subject": data.get("subject") or "",
            "title": data.get("title") or "",
            "keeper": keeper.pk if keeper else None,
            "active": active,
        }

    def filtered(self) -> bool:
        search = self.search()
        return bool(search["text"] or search["subject"] or search["title"] or search["keeper"]) or (
            search["active"] is not True
        )


class TeacherForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("kept by"))
    open_to = OrgPickerField(
        label=_("open to"),
        required=False,
        help_text=_(
            "The organization whose whole subtree may use the teacher; empty: the keeper's."
        ),
    )
    member = MemberPickerField(
        label=_("member"),
        required=False,
        help_text=_("Only for a teacher who is a member of the Party organizations here."),
    )
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    unit = forms.CharField(label=_("work unit"), max_length=200, required=False)
    position = forms.CharField(label=_("position"), max_length=100, required=False)
    title = forms.ChoiceField(label=_("professional title"), choices=TeacherTitle.choices)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    subjects = forms.MultipleChoiceField(
        label=_("subjects"), choices=Subject.choices, widget=forms.CheckboxSelectMultiple
    )
    bio = forms.CharField(
        label=_("introduction"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        open_to: QuerySet[Organization],
        members: QuerySet[Member],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["open_to"].queryset = open_to  # type: ignore[attr-defined]
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.style_fields()
        self.fields["subjects"].widget.attrs["class"] = "form-check-input"

    @staticmethod
    def initial_for(teacher: Teacher) -> dict[str, Any]:
        return {
            "org": teacher.org_id,
            "open_to": teacher.open_to_id,
            "member": teacher.member_id,
            "name": teacher.name,
            "unit": teacher.unit,
            "position": teacher.position,
            "title": teacher.title,
            "phone": teacher.phone,
            "subjects": [s.subject for s in teacher.subjects.all()],
            "bio": teacher.bio,
        }

    def teacher_data(self) -> dict[str, Any]:
        """The fields of `services.teacher_create` / `teacher_update`."""
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "open_to", "member", "name", "unit", "position", "title", "phone", "subjects",
                "bio",
            )
        }  # fmt: skip


class TeacherLeaveForm(BootstrapMixin, forms.Form):
    left_reason = forms.CharField(label=_("reason for leaving"), max_length=200)
    left_on = forms.DateField(label=_("left the pool on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class TeacherPickerField(PickerChoiceField):
    """A teacher of the pool, searched on the server by name or work unit, labelled with their
    unit and title. The form sets `queryset` to the teachers the page may offer."""

    placeholder = _("Type a name or work unit")

    def __init__(self, *, queryset: QuerySet[Teacher] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid_choice", _("Pick a teacher from the list: that one is not offered here.")
        )
        super().__init__(
            queryset=Teacher.objects.none() if queryset is None else queryset, **kwargs
        )

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        text = fold_width(text).strip()
        if text:
            candidates = candidates.filter(Q(name__icontains=text) | Q(unit__icontains=text))
        return candidates.order_by("name", "id")

    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.name, obj.unit, str(obj.get_title_display())]
        if obj.title == TeacherTitle.NONE:
            parts.pop()
        return " · ".join(p for p in parts if p)
