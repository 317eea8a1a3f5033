"""The files of tests that leave the app, each download audited with what it held: the results
台账 (names and scores of every candidate the reader may see) and the question bank export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.selectors import attach_ancestor_names, reader_scope_org_name

from .. import selectors
from ..documents import questions_workbook, results_workbook
from ..models import Exam, Question


def exam_results_export(*, actor: Actor, exam: Exam) -> bytes:
    """The results 台账 of `exam` as .xlsx, limited to the candidates the actor may read (the
    caller has checked the actor is staff who sees the exam). Audited
    ("exams.exam.results_export") with how many candidates and takers it listed."""
    results = selectors.exam_results(actor, exam)
    # The 上级党组织 beside each candidate's branch: one query for all of them.
    attach_ancestor_names([candidate.org for candidate in results.candidates])
    content = results_workbook(exam, results)
    listed = {candidate.member_id for candidate in results.candidates}
    audit_record(
        actor=actor,
        verb="exams.exam.results_export",
        obj=exam,
        org=exam.org,
        after={
            "rows": len(results.candidates),
            "took": sum(1 for member_id in listed if member_id in results.best),
            "branches": len(results.branches),
        },
    )
    return content


def question_bank_export(*, actor: Actor, search: dict[str, Any]) -> bytes:
    """The bank's questions with their keys that the list shows (`search`: the list's filters,
    as `BankFilterForm.search`), only those of orgs the actor manages, as .xlsx. Audited
    ("exams.question.bank_export") with the filters and the number of questions."""
    count = 0

    def counted(rows: Iterator[Question]) -> Iterator[Question]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    questions = selectors.questions_export(actor, **search)
    content = questions_workbook(
        counted(questions.iterator(chunk_size=500)), org_name=reader_scope_org_name(actor)
    )
    audit_record(
        actor=actor,
        verb="exams.question.bank_export",
        object_type="exams.question",
        object_repr=_("Question bank export"),
        after={"rows": count, "filters": search},
    )
    return content
