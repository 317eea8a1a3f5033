"""Files out of this app: one module per topic, the names other modules use re-exported here."""

from .contests import (
    contest_results_names,
    contest_results_workbook,
    study_report_names,
    study_report_workbook,
)

__all__ = [
    "contest_results_names",
    "contest_results_workbook",
    "study_report_names",
    "study_report_workbook",
]
