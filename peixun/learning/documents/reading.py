"""A reading list's progress 台账 (.xlsx, always in Chinese, `core.workbooks`): per branch, the
members credited with each required book and those with none, and a sheet of the members who
have no book of the list credited yet."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from peixun.core.workbooks import Column, LedgerBook, ledger_title, year_period
from peixun.members.models import Member
from peixun.orgs.selectors import org_above_labels

from ..models.reading import Book, ReadingList
from ..selectors.reading import BranchReading


def reading_progress_workbook(
    reading_list: ReadingList,
    books: list[Book],
    rows: list[BranchReading],
    total: BranchReading,
    waiting: Iterable[Member],
    *,
    org_name: str,
) -> bytes:
    with translation.override("zh-hans"):
        book = LedgerBook()
        lines = [_("Reading list: %(title)s") % {"title": reading_list.title}]
        branches = book.sheet(
            _("Reading by branch"),
            title=ledger_title(
                reading_list.org.name,
                _("%(title)s reading progress by branch") % {"title": reading_list.title},
            ),
            org=org_name,
            period=year_period(reading_list.year),
            lines=lines,
            columns=[
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("members who read the list"), "integer"),
                *[
                    Column(_("credited: 《%(title)s》") % {"title": b.title}, "integer")
                    for b in books
                ],
                Column(_("number with no book credited"), "integer"),
            ],
            freeze_columns=2,
        )
        for row in rows:
            branches.append([row.parent, row.org.name, row.readers, *row.counts(books), row.none])
        branches.totals([_("Total"), None, total.readers, *total.counts(books), total.none])
        waiting_rows = list(waiting)
        above = org_above_labels(m.org_id for m in waiting_rows)
        people = book.sheet(
            _("No book credited"),
            title=ledger_title(
                reading_list.org.name,
                _("%(title)s members with no book credited") % {"title": reading_list.title},
            ),
            org=org_name,
            period=year_period(reading_list.year),
            lines=lines,
            columns=[
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("name")),
                Column(_("member status")),
            ],
            freeze_columns=3,
        )
        for member in waiting_rows:
            people.append(
                [above.get(member.org_id, ""), member.org.name, member.name,
                 member.get_status_display()]
            )  # fmt: skip
        if not waiting_rows:
            people.note(_("Every member has at least one book credited."))
        return book.save()
