"""The figure catalogue of the yearly reports: every number a report states, by name.

Each figure has a key, a label, a definition in one sentence (the report's appendix prints it),
a unit and the page that lists the rows behind it (its drill-down). `report_figures` computes
them all for an org's subtree and a period (whole years, optionally cut at an "as of" day),
with a few aggregate queries each, whatever the number of members: nothing here loads every
member. docs/reports.md lists the catalogue; tests/test_report_figures.py computes each value by
hand.
"""

from .computing import (
    held_classes,
    report_figures,
)
from .definitions import (
    ACTIVITY_KINDS,
    ACTIVITY_LABELS,
    CATALOGUE,
    CATALOGUE_BY_KEY,
    FIRST_REPORT_YEAR,
    LOW_PARTICIPATION,
    MAX_REPORT_YEARS,
    PRESENT,
    UNIT_LABELS,
    Computed,
    FigureDef,
    FigureValue,
    Number,
    ReportPeriod,
    Unit,
    clean_period,
    format_value,
    report_org,
)

__all__ = [
    "ACTIVITY_KINDS",
    "ACTIVITY_LABELS",
    "CATALOGUE",
    "CATALOGUE_BY_KEY",
    "Computed",
    "FIRST_REPORT_YEAR",
    "FigureDef",
    "FigureValue",
    "LOW_PARTICIPATION",
    "MAX_REPORT_YEARS",
    "Number",
    "PRESENT",
    "ReportPeriod",
    "UNIT_LABELS",
    "Unit",
    "clean_period",
    "format_value",
    "held_classes",
    "report_figures",
    "report_org",
]
