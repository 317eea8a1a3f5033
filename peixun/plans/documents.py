"""Documents generated from plan data: the plan filing document (报备文件, a 上行文 as .docx
or PDF from one `core.printable.Printable`) and the filing overview of an org's children (.xlsx
台账)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.docxstyle import CHINESE_NUMERALS, chinese_date, numbered_heading
from peixun.core.downloads import file_name
from peixun.core.printable import Heading, Para, Printable, Table, render_docx, render_pdf
from peixun.core.workbooks import Column, LedgerBook, year_period
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_path_label

from .models import PlanItem, TrainingPlan
from .registry import Citation

if TYPE_CHECKING:  # the selectors import services, which build these documents
    from .selectors import FilingOverview


# The forms a filing document is asked for in; the first is what a bare link gives.
DOCUMENT_FORMATS = ("docx", "pdf")


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def plan_printable(
    plan: TrainingPlan,
    *,
    items: Sequence[PlanItem],
    attachments: Sequence[str] = (),
    superior: Organization | None = None,
    citations: Mapping[int, Sequence[Citation]] | None = None,
) -> Printable:
    """The plan as filed upward (报备文件): a 上行文 from the plan's org to `superior` (主送机关),
    a 报告 whose body names the plan, describes each item in prose (content, audience, standard,
    responsible org, deadline) and lists their figures in one table with a 合计 row, so no
    column of the table holds long text beside numbers. Headings are numbered from 一、 over the
    sections present. Dated the day it was filed (the latest submission), never the day it is
    printed: a draft carries no date. Always in Chinese."""
    org = plan.org.name
    filed = timezone.localtime(plan.submitted_at).date() if plan.submitted_at else None
    doc = Printable(
        # 事由 + 文种, short enough for one line of the 小标宋 title (the org is the issuer).
        title=f"关于报送{plan.year}年度党员教育培训计划的报告",
        issuer=org,
        addressee=superior.name if superior is not None else "",
        signature=org,
        dated=filed,
        author=org,
        subject=f"{plan.year}年度党员教育培训计划报备",
        attachments=list(attachments),
    )
    budget = sum((item.budget for item in items), Decimal(0))
    resent = f"（第{plan.version}次报送）" if plan.version > 1 else ""
    cost = f"，预计经费合计{_money(budget)}元" if budget else ""
    doc.add(
        Para(
            f"根据党员教育培训工作安排，我单位制定了《{plan.title}》{resent}，"
            f"共{len(items)}个培训项目{cost}。现将有关情况报告如下。"
        )
    )
    sections = iter(range(len(CHINESE_NUMERALS)))

    def heading(text: str) -> Heading:
        return Heading(numbered_heading(next(sections)) + text)

    summary = [line.strip() for line in plan.summary.splitlines() if line.strip()]
    if summary:
        doc.add(heading("总体安排"), *(Para(line) for line in summary))
    doc.add(heading("培训项目"))
    if not items:
        doc.add(Para("本计划尚未列入培训项目。"))
    for index, item in enumerate(items):
        doc.add(Heading(f"（{_chinese_number(index + 1)}）{item.content}", level=2))
        facts = [
            f"培训对象：{item.audience}。" if item.audience else "",
            f"达到标准：{item.standard}。" if item.standard else "",
            f"责任单位：{item.responsible_org.name}。",
            f"完成时限：{chinese_date(item.deadline)}前。",
            # What the item rests on (a needs survey's topic, registered by the apps above).
            *(
                f"需求依据：{c.label}"
                + (f"，{c.percent}%的答卷人选择" if c.percent is not None else "")
                + "。"
                for c in (citations or {}).get(item.pk, [])
            ),
        ]
        doc.add(Para("".join(facts)))
    if items:
        doc.add(heading("计划指标"))
        rows: list[list[Any]] = [
            [
                index,
                item.content,
                item.planned_classes,
                item.planned_meetings,
                _hours(item.planned_hours),
                item.planned_people,
                _money(item.budget),
            ]
            for index, item in enumerate(items, start=1)
        ]
        if len(items) > 1:
            rows.append(
                [
                    "合计",
                    "",
                    sum(item.planned_classes for item in items),
                    sum(item.planned_meetings for item in items),
                    _hours(sum((item.planned_hours for item in items), Decimal(0))),
                    sum(item.planned_people for item in items),
                    _money(budget),
                ]
            )
        doc.add(
            Table(
                headers=PLAN_FIGURES_HEADERS,
                rows=rows,
                aligns=["c", "l", "r", "r", "r", "r", "r"],
            )
        )
    if plan.state == TrainingPlan.State.APPROVED and plan.decided_at:
        decided = chinese_date(timezone.localtime(plan.decided_at).date())
        by = superior.name if superior is not None else "上级党组织"
        doc.add(heading("审批情况"), Para(f"本计划已于{decided}经{by}审批同意。"))
    elif plan.state == TrainingPlan.State.RETURNED:
        decided = (
            chinese_date(timezone.localtime(plan.decided_at).date()) if plan.decided_at else ""
        )
        reason = f"，退回意见：{plan.return_reason}" if plan.return_reason else ""
        doc.add(
            heading("审批情况"),
            Para(f"本计划{decided and f'于{decided}'}被上级党组织退回{reason}。"),
        )
    elif plan.state == TrainingPlan.State.DRAFT:
        doc.add(Para("（本计划为草稿，尚未报送。）", indent=False))
    doc.add(Para("特此报告。"))
    return doc


# The figures table: the item's number and content, then its figures, each a short number.
PLAN_FIGURES_HEADERS = ("序号", "培训项目", "班次", "会次", "学时", "参训人数", "经费（元）")


def _chinese_number(n: int) -> str:
    """一 … 九十九, for the （一） of level-2 headings."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def plan_document(
    plan: TrainingPlan,
    fmt: str = "docx",
    *,
    items: Sequence[PlanItem],
    attachments: Sequence[str] = (),
    superior: Organization | None = None,
    citations: Mapping[int, Sequence[Citation]] | None = None,
) -> bytes:
    """The 报备文件 as .docx or PDF (`fmt`), both from one `plan_printable`."""
    with translation.override("zh-hans"):  # the dates it writes are Chinese dates
        doc = plan_printable(
            plan, items=items, attachments=attachments, superior=superior, citations=citations
        )
        return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def plan_document_name(plan: TrainingPlan, fmt: str) -> tuple[str, str]:
    """The file's Chinese name and its ASCII fallback (the code name it always had)."""
    return (
        file_name(plan.org.name, f"{plan.year}年度党员教育培训计划报备文件", ext=fmt),
        f"plan-{plan.org.code}-{plan.year}.{fmt}",
    )


def filings_workbook(overview: FilingOverview) -> bytes:
    """The filings of `overview.org`'s children as a `core.workbooks` 台账; its title names where
    the org sits, so same-named orgs' sheets differ. A totals row counts the orgs and each
    state. Always in Chinese."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Plan filings"),
            title=_("%(org)s: %(year)s training plan filings")
            % {"org": org_path_label(overview.org), "year": overview.year},
            org=overview.org.name,
            period=year_period(overview.year),
            columns=[
                Column(_("No."), "integer"),
                Column(_("organization")),
                Column(_("filing state")),
                Column(_("times submitted"), "integer"),
                Column(_("last submitted at"), "datetime"),
                Column(_("approved or returned at"), "datetime"),
                Column(_("reason for returning"), max_width=30),
                Column(_("plan title"), max_width=30),
            ],
            freeze_columns=2,
        )
        labels = {**dict(TrainingPlan.State.choices), "none": _("Not filed")}
        for number, row in enumerate(overview.rows, start=1):
            plan = row.plan
            decided = row.state in ("approved", "returned")
            sheet.append(
                [
                    number,
                    row.org.name,
                    str(labels[row.state]),
                    plan.version if plan else 0,
                    plan.submitted_at if plan else None,
                    plan.decided_at if plan and decided else None,
                    plan.return_reason if plan and row.state == "returned" else None,
                    plan.title if plan else None,
                ]
            )
        states = "，".join(  # in the order of the workflow, those not filed last
            f"{label}{overview.counts[state]}"
            for state, label in labels.items()
            if overview.counts.get(state)
        )
        sheet.totals(
            [
                _("Total"),
                _("%(n)s organizations") % {"n": len(overview.rows)},
                states or "—",
            ]
        )
        return book.save()
