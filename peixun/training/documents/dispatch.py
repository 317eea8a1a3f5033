"""Documents of dispatch: the 调训通知 for one enrolled member and the class roster, each a
`core.printable.Printable` (one description, a .docx and a PDF from it), and the roster as a
`core.workbooks` 台账 (.xlsx).

The notice is an official document (公文): the organiser's 发文机关标志 above the red rule, no
发文字号 (a class has none, and a number is never made up), the member's unit as 主送机关, the
organiser as 落款 and, as 成文日期, the day the enrolment was accepted (the day the member was
dispatched). Its wording takes its tense from that day: a class that had not begun "定于…举办",
one under way "于…举办", one over "已于…举办". The curriculum is a table.

Rosters never show a full ID number (the masked form stored on the member). Every download is
audited by the services that serve these files (`services.dispatch.notice_export`,
`roster_export`). Documents are always in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from peixun.core.docxstyle import CHINESE_NUMERALS, chinese_date, numbered_heading
from peixun.core.printable import Heading, Para, Printable, Table, render_docx, render_pdf
from peixun.core.workbooks import Column, LedgerBook, date_span, ledger_title
from peixun.orgs.selectors import org_above_label

from ..models import Enrolment, Session, TrainingClass
from ..selectors import class_sessions, training_settings_of

# -- the dispatch notice -------------------------------------------------------------------------


def _hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def notice_issued_on(enrolment: Enrolment) -> dt.date:
    """The 成文日期 of a notice: the day the enrolment was accepted (the member dispatched); for
    an enrolment without that record, the day it was nominated."""
    moment = enrolment.decided_at or enrolment.nominated_at
    return timezone.localdate(moment) if moment else timezone.localdate()


def _span(training_class: TrainingClass) -> str:
    start, end = training_class.starts_on, training_class.ends_on
    if start == end:
        return chinese_date(start)
    if start.year == end.year:
        tail = f"{end.month}月{end.day}日"
        return f"{chinese_date(start)}至{tail}"
    return f"{chinese_date(start)}至{chinese_date(end)}"


def notice_opening(training_class: TrainingClass, unit: str, name: str, issued: dt.date) -> str:
    """The first paragraph, in the tense the notice's date gives it: "定于" for a class that had
    not begun on that day, "于" for one under way, "已于" for one over."""
    if issued < training_class.starts_on:
        when = "定于"
    elif issued <= training_class.ends_on:
        when = "于"
    else:
        when = "已于"
    return (
        f"{training_class.org.name}{when}{_span(training_class)}举办{training_class.title}"
        f"（{training_class.get_kind_display()}）。经研究，决定调训{unit}{name}同志参加学习。"
        "现将有关事项通知如下："
    )


def _clock(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def curriculum_table(sessions: Sequence[Session]) -> Table:
    """序号, 时间, 课程, 授课人, 学时: one row a session, in time order."""
    rows = []
    for n, session in enumerate(sessions, start=1):
        event = session.event
        end = timezone.localtime(event.ends_at)
        kind = str(session.get_type_display())
        # Titles often begin with their type already (现场教学：廉政教育基地): say it once.
        what = event.title if event.title.startswith(kind) else f"{kind}：{event.title}"
        same_day = timezone.localtime(event.starts_at).date() == end.date()
        rows.append(
            [
                n,
                f"{_clock(event.starts_at)}—{end:%H:%M}"
                if same_day
                else (f"{_clock(event.starts_at)}—{_clock(event.ends_at)}"),
                what,
                session.teacher or "—",
                _hours_text(Decimal(event.hours)),
            ]
        )
    return Table(
        headers=["序号", "时间", "课程", "授课人", "学时"],
        rows=rows,
        aligns=["c", "l", "l", "l", "r"],
        size=12,  # 小四: read beside the 三号 body
    )


def _reporting(training_class: TrainingClass, sessions: Sequence[Session]) -> list[str]:
    """报到: when (before the first session begins) and where (the venue, or online)."""
    if sessions:
        first = timezone.localtime(sessions[0].event.starts_at)
        when = f"{chinese_date(first.date())}{first:%H:%M}前"
    else:
        when = chinese_date(training_class.starts_on)
    if training_class.online:
        return [
            f"报到时间：{when}。",
            "报到方式：网络培训，登录学习平台签到，学习地址由主办单位另行通知。",
        ]
    where = training_class.venue or "由主办单位另行通知"
    return [f"报到时间：{when}。", f"报到地点：{where}。"]


def training_class_leave_denominator(training_class: TrainingClass) -> int:
    return int(training_settings_of(training_class.org).leave_limit_denominator or 7)


def _requirements(training_class: TrainingClass) -> list[str]:
    texts = [
        "请按时报到，认真参加每一次课程，每次课程扫码签到，严格执行考勤制度。",
    ]
    if training_class.full_time:
        texts.append(
            "本期培训为脱产培训，学员须全程脱产参加学习。确需请假的须提前办理，请假累计超过"
            f"总学时1/{training_class_leave_denominator(training_class)}的，按退训处理。"
        )
    else:
        texts.append("因故不能参加的，须提前向主办单位请假。")
    texts.append("按实际出勤课程计入学时，缺课的须参加补训。")
    return [f"（{CHINESE_NUMERALS[i]}）{text}" for i, text in enumerate(texts)]


def notice_printable(enrolment: Enrolment, sessions: Sequence[Session] | None = None) -> Printable:
    """The 调训通知 of an accepted enrolment. The caller has checked access; `sessions` (the
    class's curriculum) may be given when many notices of one class are made at once."""
    training_class = enrolment.training_class
    member = enrolment.member
    unit = enrolment.quota.org if enrolment.quota_id and enrolment.quota else member.org
    issued = notice_issued_on(enrolment)
    if sessions is None:
        sessions = list(class_sessions(training_class))
    organiser = training_class.org.name
    with translation.override("zh-hans"):
        doc = Printable(
            title=f"关于参加{training_class.title}的调训通知",
            issuer=f"{organiser}文件",
            addressee=unit.name,
            signature=organiser,
            dated=issued,
            author=organiser,
            subject="调训通知",
        )
        doc.add(Para(notice_opening(training_class, unit.name, member.name, issued)))
        days = (training_class.ends_on - training_class.starts_on).days + 1
        total = sum((Decimal(s.event.hours) for s in sessions), Decimal(0))
        doc.add(Heading(numbered_heading(0) + "培训时间"))
        doc.add(
            Para(
                f"{chinese_date(training_class.starts_on)}至{chinese_date(training_class.ends_on)}，"
                f"共{days}天。"
            )
        )
        doc.add(Heading(numbered_heading(1) + "培训地点"))
        if training_class.online:
            doc.add(Para("网络培训，学习地址由主办单位另行通知。"))
        else:
            doc.add(
                Para(
                    f"{training_class.venue}。" if training_class.venue else "由主办单位另行通知。"
                )
            )
        doc.add(Heading(numbered_heading(2) + "培训内容"))
        if sessions:
            doc.add(
                Para(
                    f"本期培训共安排课程{len(sessions)}次，共计{_hours_text(total)}学时，具体安排如下："
                )
            )
            doc.add(curriculum_table(sessions))
        else:
            doc.add(Para("课程安排由主办单位另行通知。"))
        doc.add(Heading(numbered_heading(3) + "报到事项"))
        for text in _reporting(training_class, sessions):
            doc.add(Para(text))
        doc.add(Heading(numbered_heading(4) + "有关要求"))
        for text in _requirements(training_class):
            doc.add(Para(text))
    return doc


def notice_file(enrolment: Enrolment, fmt: str, sessions: Sequence[Session] | None = None) -> bytes:
    doc = notice_printable(enrolment, sessions)
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def notice_docx(enrolment: Enrolment) -> bytes:
    """The 调训通知 as .docx bytes (`notice_printable`)."""
    return render_docx(notice_printable(enrolment))


def notice_pdf(enrolment: Enrolment) -> bytes:
    return render_pdf(notice_printable(enrolment))


# -- the roster ----------------------------------------------------------------------------------


def roster_headers() -> list[str]:
    return [
        _("No."),
        _("name"),
        _("gender"),
        _("ID number"),
        _("branch"),
        _("organization above"),
        _("places of"),
        _("route"),
        _("state"),
        _("mobile number"),
    ]


def roster_row(n: int, enrolment: Enrolment) -> list[Any]:
    member = enrolment.member
    return [
        n,
        member.name,
        member.get_gender_display(),
        member.id_number_masked,
        member.org.name,
        org_above_label(member.org),  # `trail` from the export service
        enrolment.quota.org.name if enrolment.quota else _("Named by the organiser"),
        enrolment.get_route_display(),
        enrolment.get_state_display(),
        member.mobile,
    ]


def _roster_title(training_class: TrainingClass) -> str:
    return _("Roster of the %(title)s") % {"title": training_class.title}


def roster_xlsx(training_class: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    """The roster as a `core.workbooks` 台账: titled with the organiser and the class, its dates
    as the period."""
    with translation.override("zh-hans"):
        headers = roster_headers()
        book = LedgerBook()
        sheet = book.sheet(
            _("Trainee roster"),
            title=ledger_title(training_class.org.name, _roster_title(training_class)),
            org=training_class.org.name,
            period=date_span(training_class.starts_on, training_class.ends_on),
            columns=[Column(headers[0], "integer"), *(Column(header) for header in headers[1:])],
            freeze_columns=2,
        )
        for n, enrolment in enumerate(enrolments, start=1):
            sheet.append(
                [str(v) if isinstance(v, Promise) else v for v in roster_row(n, enrolment)]
            )
        return book.save()


# The printed roster: what identifies a trainee and where they come from; the mobile number and
# the route stay in the workbook (the route is already in 所占名额: a unit, or 点名调训).
PRINTED_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 8)


def roster_printable(training_class: TrainingClass, enrolments: list[Enrolment]) -> Printable:
    """The roster as a landscape table (the 18-character ID numbers on one line), its header
    repeated on every page."""
    with translation.override("zh-hans"):
        headers = roster_headers()
        organiser = training_class.org.name
        doc = Printable(
            title=_roster_title(training_class),
            author=organiser,
            subject=str(_("Trainee roster")),
            landscape=True,
        )
        info = f"主办单位：{organiser}　　培训时间：{_span(training_class)}"
        if training_class.venue:
            info += f"　　培训地点：{training_class.venue}"
        doc.add(Para(info, align="center", indent=False, size=12))
        if enrolments:
            rows = []
            for n, enrolment in enumerate(enrolments, start=1):
                row = roster_row(n, enrolment)
                rows.append(
                    [
                        str(row[i]) if isinstance(row[i], Promise) else row[i]
                        for i in PRINTED_COLUMNS
                    ]
                )
            doc.add(
                Table(
                    headers=[str(headers[i]) for i in PRINTED_COLUMNS],
                    rows=rows,
                    aligns=["c", "l", "c", "l", "l", "l", "l", "c"],
                )
            )
            doc.add(Para(f"共{len(enrolments)}人。", indent=False, size=12))
        else:
            doc.add(Para(str(_("Nobody is enrolled yet.")), indent=False, size=12))
    return doc


def roster_docx(training_class: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    return render_docx(roster_printable(training_class, enrolments))


def roster_pdf(training_class: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    return render_pdf(roster_printable(training_class, enrolments))
