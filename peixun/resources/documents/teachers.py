"""The 师资库 台账: the teachers a search lists, as a printable .xlsx (core.workbooks)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.workbooks import Column, LedgerBook, as_of_period, ledger_title

from ..models import Subject, Teacher
from ..registry import TeacherRating


def teachers_workbook(
    teachers: Iterable[Teacher], *, ratings: dict[int, TeacherRating], org_name: str = ""
) -> bytes:
    """One row a teacher: name, unit, position, title, subjects, keeper, open to, phone,
    sessions taught, rating (only where shown on the page) and whether still in the pool.
    `teachers` carry `session_count` and prefetched subjects (`selectors.teachers_search`)."""
    with translation.override("zh-hans"):
        labels = dict(Subject.choices)
        book = LedgerBook()
        sheet = book.sheet(
            _("Teacher pool"),
            title=ledger_title(org_name, _("Teacher pool ledger")),
            org=org_name,
            period=as_of_period(timezone.localdate()),
            columns=[
                Column(_("name")),
                Column(_("work unit"), max_width=30),
                Column(_("position")),
                Column(_("professional title")),
                Column(_("subjects"), max_width=30),
                Column(_("kept by"), max_width=24),
                Column(_("open to"), max_width=24),
                Column(_("phone")),
                Column(_("Sessions taught"), "integer"),
                Column(_("Evaluation (5-point scale)"), "number"),
                Column(_("In the pool")),
            ],
            freeze_columns=1,
        )
        for teacher in teachers:
            rating = ratings.get(teacher.pk)
            sheet.append(
                [
                    teacher.name,
                    teacher.unit,
                    teacher.position,
                    str(teacher.get_title_display()),
                    "、".join(
                        str(labels.get(s.subject, s.subject)) for s in teacher.subjects.all()
                    ),
                    teacher.org.name,
                    teacher.open_to.name,
                    teacher.phone,
                    getattr(teacher, "session_count", 0),
                    rating.average if rating is not None else None,
                    _("yes")
                    if teacher.active
                    else _("Left on %(date)s") % {"date": teacher.left_on},
                ]
            )
        return book.save()
