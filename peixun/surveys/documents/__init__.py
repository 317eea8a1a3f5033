"""Files out of this app: one module per topic, the names other modules use re-exported here."""

from .contests import (
    contest_results_names,
    contest_results_workbook,
    study_report_names,
    study_report_workbook,
)
from .evaluations import (
    evaluation_results_book,
)

__all__ = [
    "evaluation_results_book",
    "contest_results_names",
    "contest_results_workbook",
    "study_report_names",
    "study_report_workbook",
]
