"""An online class's progress 台账 (.xlsx, always in Chinese, `core.workbooks`): its progress per
branch with a totals row, and the members who have not started, by branch and name."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from peixun.core.workbooks import Column, LedgerBook, date_span, ledger_title
from peixun.members.models import Member
from peixun.orgs.selectors import org_above_labels

from ..models import OnlineClass
from ..selectors.classes import BranchProgress


def progress_workbook(
    online_class: OnlineClass,
    rows: list[BranchProgress],
    total: BranchProgress,
    waiting: Iterable[Member],
    *,
    org_name: str,
) -> bytes:
    """Two sheets: 各支部进度 (the figures of `rows` and `total`) and 未开始学习人员 (`waiting`).
    `org_name` is the part of the tree the reader sees (the subtitle's 单位)."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        period = date_span(online_class.starts_on, online_class.ends_on)
        lines = [_("Class: %(title)s") % {"title": online_class.title}]
        branches = book.sheet(
            _("Progress by branch"),
            title=ledger_title(
                online_class.org.name,
                _("%(title)s progress by branch") % {"title": online_class.title},
            ),
            org=org_name,
            period=period,
            lines=lines,
            columns=[
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("members in the audience"), "integer"),
                Column(_("number not started"), "integer"),
                Column(_("number in progress"), "integer"),
                Column(_("number completed"), "integer"),
                Column(_("completion rate"), "percent"),
            ],
            freeze_columns=2,
        )
        for row in rows:
            branches.append(
                [row.parent, row.org.name, row.audience, row.not_started, row.in_progress,
                 row.completed, row.completion_rate]
            )  # fmt: skip
        branches.totals(
            [_("Total"), None, total.audience, total.not_started, total.in_progress,
             total.completed, total.completion_rate]
        )  # fmt: skip
        waiting_rows = list(waiting)
        above = org_above_labels(m.org_id for m in waiting_rows)
        people = book.sheet(
            _("Not started"),
            title=ledger_title(
                online_class.org.name,
                _("%(title)s members who have not started") % {"title": online_class.title},
            ),
            org=org_name,
            period=period,
            lines=lines,
            columns=[
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("name")),
                Column(_("member status")),
                Column(_("mobile number")),
            ],
            freeze_columns=3,
        )
        for member in waiting_rows:
            people.append(
                [above.get(member.org_id, ""), member.org.name, member.name,
                 member.get_status_display(), member.mobile]
            )  # fmt: skip
        if not waiting_rows:
            people.note(_("Every member of the audience has started."))
        return book.save()
