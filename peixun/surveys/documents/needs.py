"""A needs survey's results as a 台账 workbook: the whole survey, each branch whose results are
shown, and the topic demand. A slice below the threshold says so instead of giving figures."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from peixun.core.workbooks import Column, LedgerBook, LedgerSheet, ledger_title, year_period

from ..models import QuestionKind, Survey
from ..selectors.needs import TopicDemand
from ..selectors.results import BranchResult, SurveyResults


def _question_rows(sheet: LedgerSheet, results: SurveyResults) -> None:
    for q in results.questions:
        if q.kind == QuestionKind.SECTION:
            sheet.append([q.text, _("Section"), "", "", ""])
        elif q.kind == QuestionKind.RATING:
            sheet.append(
                [q.text, _("Average rating (of %(n)s)") % {"n": q.scale_max}, q.answered,
                 q.average, None]
            )  # fmt: skip
        elif q.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
            for option in q.options:
                share = option.count / results.responses if results.responses else None
                sheet.append([q.text, option.text, option.count, None, share])
        else:
            sheet.append([q.text, _("Written answers"), len(q.texts), None, None])
            for text in q.texts:
                sheet.append(["", text, None, None, None])


def _results_sheet(
    book: LedgerBook, survey: Survey, name: str, org: str, results: SurveyResults
) -> None:
    sheet = book.sheet(
        name,
        title=ledger_title(org, _("%(title)s: results") % {"title": survey.title}),
        org=org,
        period=year_period(survey.year),
        lines=[
            _("Respondents: %(n)s; results are shown from %(min)s respondents.")
            % {"n": results.responses, "min": results.min_responses}
        ],
        columns=[
            Column(_("Question")),
            Column(_("Option or figure")),
            Column(_("Respondents"), "integer"),
            Column(_("Average rating"), "number"),
            Column(_("Share of respondents"), "percent"),
        ],
    )
    if results.shown:
        _question_rows(sheet, results)
    else:
        sheet.note(
            _("Withheld: %(n)s respondents, fewer than %(min)s; no figures are given.")
            % {"n": results.responses, "min": results.min_responses}
        )


def needs_results_workbook(
    survey: Survey,
    overall: SurveyResults,
    branches: list[BranchResult],
    demand: TopicDemand,
) -> bytes:
    with translation.override("zh-hans"):  # exports are in Chinese whatever the reader's language
        book = LedgerBook()
        org = survey.org.name
        _results_sheet(book, survey, _("Overall"), org, overall)
        summary = book.sheet(
            _("Answers by branch"),
            title=ledger_title(org, _("%(title)s: answers by branch") % {"title": survey.title}),
            org=org,
            period=year_period(survey.year),
            columns=[
                Column(_("Branch")),
                Column(_("Invited"), "integer"),
                Column(_("Respondents"), "integer"),
                Column(_("Results")),
            ],
            freeze_columns=1,
        )
        for row in branches:
            summary.append(
                [row.branch.name, row.invited, row.results.responses,
                 _("results shown") if row.results.shown else _("withheld (too few respondents)")]
            )  # fmt: skip
        demand_sheet = book.sheet(
            _("Topic demand"),
            title=ledger_title(org, _("%(title)s: topics asked for") % {"title": survey.title}),
            org=org,
            period=year_period(survey.year),
            columns=[
                Column(_("Plan topic")),
                Column(_("Options of the questionnaire")),
                Column(_("Respondents who chose it"), "integer"),
                Column(_("Share of respondents"), "percent"),
            ],
        )
        if demand.shown:
            for r in demand.rows:
                demand_sheet.append([r.label, "、".join(r.options), r.respondents, float(r.share)])
        else:
            demand_sheet.note(
                _("Withheld: %(n)s respondents, fewer than %(min)s; no figures are given.")
                % {"n": demand.responses, "min": demand.min_responses}
            )
        for row in branches:
            if row.results.shown:
                _results_sheet(book, survey, row.branch.name, row.branch.name, row.results)
        return book.save()
