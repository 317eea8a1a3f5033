"""Files out of this app: an evaluation's results as a 台账 workbook (core.workbooks). Only the
slices shown on the page are written: below the threshold a slice is a count and nothing more."""

from __future__ import annotations

from django.utils import timezone

from peixun.core.workbooks import Column, LedgerBook, as_of_period, ledger_title

from ..models import QuestionKind, Survey
from ..selectors.results import BranchResult, SurveyResults


def _distribution(counts: list[int]) -> str:
    return "；".join(f"{score}分：{n}人" for score, n in enumerate(counts, start=1))


def evaluation_results_book(
    survey: Survey, results: SurveyResults, branches: list[BranchResult]
) -> bytes:
    """Three sheets: the results by criterion (or the count alone when not shown), the
    branches with their averages where shown, and the comments when shown."""
    book = LedgerBook()
    org = survey.org.name
    period = as_of_period(timezone.localdate())
    lines = [f"评估：{survey.title}；收到答卷 {results.responses} 份"]
    sheet = book.sheet(
        "评估结果",
        title=ledger_title(org, "教学质量评估结果"),
        org=org,
        period=period,
        lines=lines,
        columns=[
            Column("评估指标"),
            Column("评估项目或选项", max_width=40),
            Column("作答人数（人）", "integer"),
            Column("平均分（分）", "number"),
            Column("满分（分）", "integer"),
            Column("各分值人数", max_width=40),
        ],
        freeze_columns=2,
    )
    if results.shown:
        names = {q.id: q.text for q in results.questions}
        for q in results.questions:
            criterion = names.get(q.parent_id, "") if q.parent_id else ""
            if q.kind == QuestionKind.RATING:
                sheet.append(
                    [
                        criterion,
                        q.text,
                        q.answered,
                        q.average,
                        q.scale_max,
                        _distribution(q.distribution),
                    ]
                )
            elif q.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
                for option in q.options:
                    sheet.append([q.text, option.text, option.count, None, None, ""])
        if results.overall is not None:
            sheet.totals([None, "总体平均", None, results.overall, None, ""])
    else:
        sheet.note(
            f"收到答卷 {results.responses} 份，不足 {results.min_responses} 份，"
            "按匿名规则不显示结果。"
        )
    by_branch = book.sheet(
        "各支部",
        title=ledger_title(org, "教学质量评估各支部情况"),
        org=org,
        period=period,
        lines=lines,
        columns=[
            Column("党支部"),
            Column("受邀人数（人）", "integer"),
            Column("已答人数（人）", "integer"),
            Column("总体平均分（分）", "number"),
            Column("说明", max_width=30),
        ],
        freeze_columns=1,
    )
    for row in branches:
        shown = row.results.shown
        by_branch.append(
            [
                row.branch.name,
                row.invited,
                row.responded,
                row.results.overall if shown else None,
                "" if shown else f"答卷不足 {row.results.min_responses} 份，不显示结果",
            ]
        )
    comments = book.sheet(
        "意见建议",
        title=ledger_title(org, "教学质量评估意见建议"),
        org=org,
        period=period,
        lines=lines,
        columns=[Column("题目"), Column("意见建议", max_width=60)],
    )
    if results.shown:
        for q in results.questions:
            for text in q.texts:
                comments.append([q.text, text])
    return book.save()
