"""Files of organisational life, built from rows the selectors read:

- the yearly meeting record book of an org (三会一课记录本, .docx or PDF from one
  `core.printable.Printable`): a cover, a contents page listing every meeting, and each meeting
  of the year in date order with its recorder, host, attendance by name, minutes, observers and
  appraisal results, running on without a page each;
- the meetings list as an .xlsx 台账 (one row per meeting, with the list's filters): what a unit
  copies into the counts it reports upward, a `core.workbooks` 台账 with a totals row.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.docxstyle import chinese_date
from peixun.core.downloads import file_name
from peixun.core.printable import (
    Block,
    Contents,
    Heading,
    PageBreak,
    Para,
    Printable,
    Spacer,
    render_docx,
    render_pdf,
)
from peixun.core.workbooks import Column, LedgerBook, ledger_title, year_period
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_above_label

from .models import Meeting, MeetingKind, NoteCheck, NoteCheckRound

if TYPE_CHECKING:
    from .selectors import BookMeeting
    from .selectors.notechecks import BranchSummary

# The forms a record book is asked for in (the first is what a bare link gives), and those of a
# unit's batch: the books as .docx in one .zip, or all of them in one PDF.
BOOK_FORMATS = ("docx", "pdf")
BATCH_FORMATS = ("zip", "pdf")

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def minutes_text(minutes: str) -> list[str]:
    """The minutes' paragraphs as plain text (the stored HTML is already sanitised)."""
    text = _BLOCK_END.sub("\n", minutes or "")
    text = html.unescape(_TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def meeting_topic(meeting: Meeting) -> str:
    """The meeting's subject without its kind: titles often start with it ("主题党日：12月集中
    学习"), and the record book's heading says the kind already."""
    title = meeting.event.title.strip()
    label = str(meeting.get_kind_display())
    if title.startswith(label):
        title = _KIND_SEPARATORS.sub("", title[len(label) :], count=1)
    return title.strip()


_KIND_SEPARATORS = re.compile(r"^[\s:：·\-—、,，]+")


def _meeting_heading(index: int, entry: BookMeeting) -> str:
    """ "3. 12月5日 主题党日：集中学习": number, day, kind and topic once each."""
    meeting = entry.meeting
    day = timezone.localtime(meeting.event.starts_at)
    kind = str(meeting.get_kind_display())
    topic = meeting_topic(meeting)
    return f"{index}. {day.month}月{day.day}日　{kind}" + (f"：{topic}" if topic else "")


def _names(names: list[str]) -> str:
    return "、".join(names) if names else "无"


def _meeting_blocks(index: int, entry: BookMeeting) -> list[Block]:
    meeting, statuses = entry.meeting, entry.statuses
    event = meeting.event
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    present = statuses["present"] + statuses["late"] + statuses["left_early"]
    recorder = meeting.recorded_by.display_name() if meeting.recorded_by else ""
    lines = [
        f"时　　间：{chinese_date(start.date())} {start:%H:%M}—{end:%H:%M}",
        f"地　　点：{event.place or '—'}",
        f"主 持 人：{meeting.host or '—'}　　记 录 人：{recorder or '—'}",
        f"出席情况：应到{entry.expected}人，实到{present}人，缺席{statuses['absent']}人，"
        f"请假{statuses['leave']}人。",
        f"实到人员：{_names(entry.named('present', 'late', 'left_early'))}",
        f"请假人员：{_names(entry.named('leave'))}",
        f"缺席人员：{_names(entry.named('absent'))}",
    ]
    if entry.unmarked:
        lines.append(f"未登记出席情况：{_names(entry.unmarked)}")
    observers = list(meeting.observers.all())
    if observers:
        names = "、".join(f"{o.name}（{o.title}）" if o.title else o.name for o in observers)
        lines.append(f"列席旁听：{names}")
    results = Counter(str(a.get_result_display()) for a in meeting.appraisals.all())
    if results:
        lines.append("评议结果：" + "，".join(f"{k}{v}人" for k, v in results.items()))
    blocks: list[Block] = [Heading(_meeting_heading(index, entry), in_contents=True)]
    blocks += [Para(line, indent=False, align="left") for line in lines]
    blocks.append(Para("会议记录：", indent=False, bold=True))
    blocks += [Para(paragraph) for paragraph in minutes_text(meeting.minutes) or ["—"]]
    return blocks


def record_book_printable(org: Organization, year: int, book: list[BookMeeting]) -> Printable:
    """The 三会一课记录本 of `org` for `year` (`book` is `selectors.record_book_meetings`): a
    cover naming the branch, where it sits and the year; a contents page listing every meeting
    (the toolkit fills in the page numbers); then the meetings running on, one after another,
    each under one heading with its day, kind and topic, its recorder, host, attendance by name,
    observers, appraisal and minutes. Always in Chinese."""
    counts = Counter(entry.meeting.kind for entry in book)
    doc = Printable(
        title="三会一课记录本",
        author=org.name,
        subject=f"{org.name}{year}年度三会一课记录本",
    )
    doc.add(Spacer(3), Para(org.name, align="center", indent=False, size=22, bold=True))
    if above := org_above_label(org):  # tells same-named branches' books apart
        doc.add(Para(above, align="center", indent=False, size=14))
    doc.add(Spacer(1), Para(f"{year}年度", align="center", indent=False, size=18), Spacer(3))
    if book:
        doc.add(Para(f"本年度记录会议{len(book)}次", align="center", indent=False))
        by_kind = "、".join(
            f"{label}{counts[kind]}次" for kind, label in MeetingKind.choices if counts[kind]
        )
        doc.add(Para(f"其中{by_kind}", align="center", indent=False, size=14))
    else:
        doc.add(Para("本年度没有记录会议。", align="center", indent=False))
    doc.add(PageBreak())
    if book:
        doc.add(Contents())
    for index, entry in enumerate(book, start=1):
        if index > 1:
            doc.add(Spacer(1))  # the meetings run on: a line between them, never a page
        doc.add(*_meeting_blocks(index, entry))
    return doc


def record_book(org: Organization, year: int, book: list[BookMeeting], fmt: str = "docx") -> bytes:
    """The record book as .docx or PDF (`fmt`), both from one `record_book_printable`."""
    with translation.override("zh-hans"):  # the dates it writes are Chinese dates
        doc = record_book_printable(org, year, book)
        return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def record_book_name(org: Organization, year: int, fmt: str) -> tuple[str, str]:
    """The file's Chinese name and its ASCII fallback."""
    return (
        file_name("三会一课记录本", org.name, f"{year}年", ext=fmt),
        f"record-book-{org.code}-{year}.{fmt}",
    )


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def meetings_workbook(
    rows: list[tuple[Meeting, int]], *, org_name: str = "", period: str = ""
) -> bytes:
    """The .xlsx 台账 (`core.workbooks`): `rows` are `selectors.meeting_export_rows` (each meeting
    of `selectors.meeting_list` with the number of members it expects), titled with `org_name`
    (the org filtered by, or the reader's scope) and `period`; the totals row counts the
    meetings and adds up the people columns."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Meetings"),
            title=ledger_title(org_name, _("Meetings ledger")),
            org=org_name,
            period=period,
            columns=[
                Column(_("date"), "date"),
                Column(_("start and end time")),
                Column(_("kind of meeting")),
                Column(_("topic category")),
                Column(_("subject")),
                Column(_("held by")),
                Column(_("organization above")),
                Column(_("place")),
                Column(_("host")),
                Column(_("members expected"), "integer"),
                Column(_("members present"), "integer"),
                Column(_("hours credited to each attendee"), "hours"),
                Column(_("number of observers"), "integer"),
                Column(_("meeting state")),
            ],
            freeze_columns=1,
        )
        expected_sum = present_sum = observers_sum = 0
        for meeting, expected in rows:
            event = meeting.event
            starts = timezone.localtime(event.starts_at)
            ends = timezone.localtime(event.ends_at)
            present = meeting.present_count  # type: ignore[attr-defined]
            observers = meeting.observer_count  # type: ignore[attr-defined]
            expected_sum += expected
            present_sum += present
            observers_sum += observers
            sheet.append(
                [
                    starts.date(),
                    f"{starts:%H:%M}–{ends:%H:%M}",
                    str(meeting.get_kind_display()),
                    str(event.get_topic_display()),
                    event.title,
                    event.org.name,
                    # `trail` from the export service (attach_ancestor_names).
                    org_above_label(event.org),
                    event.place,
                    meeting.host,
                    expected,
                    present,
                    _number(event.hours),
                    observers,
                    str(event.get_state_display()),
                ]
            )
        sheet.totals(
            [_("Total"), _("%(n)s meetings") % {"n": len(rows)}]
            + [None] * 7
            + [expected_sum, present_sum, None, observers_sum]
        )
        return book.save()


def note_round_workbook(
    check_round: NoteCheckRound, checks: list[NoteCheck], summary: list[BranchSummary]
) -> bytes:
    """A 学习笔记抽查 round as a .xlsx 台账 (`core.workbooks`): a sheet of every sampled member
    with their check, and a sheet of the counts per branch, both titled with the round's org."""
    org_name = check_round.org.name
    period = year_period(check_round.year)
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Note checks"),
            title=ledger_title(org_name, _("Study note check ledger")),
            org=org_name,
            period=period,
            columns=[
                Column(_("branch")),
                Column(_("member")),
                Column(_("checked on"), "date"),
                Column(_("checked by")),
                Column(_("result")),
                Column(_("note")),
                Column(_("photo")),
            ],
            freeze_columns=2,
        )
        for check in checks:
            sheet.append(
                [
                    check.branch.name,
                    check.member.name,
                    check.checked_on,
                    check.checker,
                    str(check.get_result_display()) if check.result else _("Not checked yet"),
                    check.note,
                    _("yes") if check.photo else "",
                ]
            )
        sheet.totals([_("Total"), _("%(n)s members sampled") % {"n": len(checks)}])
        results = NoteCheck.Result
        totals = book.sheet(
            _("Per branch"),
            title=ledger_title(org_name, _("Study note check results per branch")),
            org=org_name,
            period=period,
            columns=[
                Column(_("branch")),
                Column(_("sampled"), "integer"),
                Column(_("checked"), "integer"),
                *[Column(str(label), "integer") for label in results.labels],
                Column(_("not checked yet"), "integer"),
            ],
            freeze_columns=1,
        )
        for line in summary:
            totals.append(
                [
                    line.branch.name if line.branch else "",
                    line.sampled,
                    line.checked,
                    *line.counts,
                    line.unchecked,
                ]
            )
        totals.totals(
            [
                _("Total"),
                sum(line.sampled for line in summary),
                sum(line.checked for line in summary),
                *[sum(line.results[value] for line in summary) for value in results.values],
                sum(line.unchecked for line in summary),
            ]
        )
        return book.save()
