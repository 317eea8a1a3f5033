"""Every write of knowledge tests: the bank, papers, exams and attempts (see each module).
The .xlsx import is `services.imports.questions_import` (not re-exported: callers that need it
import the module; it reads the workbook through `documents`)."""

from .attempts import (
    GRACE,
    attempt_answer_save,
    attempt_current,
    attempt_start,
    attempt_submit,
    attempt_submit_expired,
    attempts_expire,
)
from .bank import (
    OPTION_LETTERS,
    clean_question_fields,
    parse_answer,
    question_create,
    question_retire,
    question_update,
    split_topics,
)
from .exams import (
    audience_members,
    credit_reference,
    draw_sample,
    exam_cancel,
    exam_create,
    exam_finalise,
    exam_publish,
    exam_remind,
    exam_rule,
    exam_rule_update,
    exam_update,
)
from .exports import exam_results_export, question_bank_export
from .papers import (
    DEFAULT_POINTS,
    draw_questions,
    draw_rng,
    paper_create,
    paper_question_remove,
    paper_questions_add,
    paper_update,
)

__all__ = [
    "DEFAULT_POINTS",
    "GRACE",
    "OPTION_LETTERS",
    "attempt_answer_save",
    "attempt_current",
    "attempt_start",
    "attempt_submit",
    "attempt_submit_expired",
    "attempts_expire",
    "audience_members",
    "clean_question_fields",
    "credit_reference",
    "draw_questions",
    "draw_rng",
    "draw_sample",
    "exam_cancel",
    "exam_create",
    "exam_results_export",
    "exam_finalise",
    "exam_publish",
    "exam_remind",
    "exam_rule",
    "exam_rule_update",
    "exam_update",
    "paper_create",
    "paper_question_remove",
    "paper_questions_add",
    "paper_update",
    "parse_answer",
    "question_bank_export",
    "question_create",
    "question_retire",
    "question_update",
    "split_topics",
]
