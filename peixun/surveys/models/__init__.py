"""Forms, surveys and anonymous responses, shared by evaluation (评估), needs surveys (需求调研)
and competition judging (党课评比); one module a topic, everything re-exported here."""

from .citations import PlanCitation
from .contests import Award, Contest, ContestKind, ContestQuerySet, Entry, EntryQuerySet
from .forms import Form, FormQuerySet, Option, Question, QuestionKind
from .needs import NeedsAudience
from .responses import Answer, Invitation, Response, Survey, SurveyQuerySet, SurveySettings
from .study_reports import (
    STUDY_REPORT_MAX_CHARS,
    STUDY_REPORT_MIN_CHARS,
    StudyReport,
    StudyReportQuerySet,
)

__all__ = [
    "STUDY_REPORT_MAX_CHARS",
    "STUDY_REPORT_MIN_CHARS",
    "Award",
    "Contest",
    "ContestKind",
    "ContestQuerySet",
    "Entry",
    "EntryQuerySet",
    "StudyReport",
    "StudyReportQuerySet",
    "Answer",
    "Form",
    "FormQuerySet",
    "Invitation",
    "NeedsAudience",
    "Option",
    "PlanCitation",
    "Question",
    "QuestionKind",
    "Response",
    "Survey",
    "SurveyQuerySet",
    "SurveySettings",
]
