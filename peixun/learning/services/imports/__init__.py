"""External records import: sources with remembered mappings, a dry run with a report, a
review queue, and an idempotent apply through the ledger (see docs/learning.md)."""

from .apply import entry_reference, import_apply_run
from .batches import (
    clean_period,
    import_apply_request,
    import_line_pick,
    import_upload,
    source_create,
    source_update,
)
from .check import credited_hours, import_check_run, ledger_day
from .mapping import FIELD_LABELS, KNOWN_HEADERS, default_mapping

__all__ = [
    "FIELD_LABELS",
    "KNOWN_HEADERS",
    "clean_period",
    "credited_hours",
    "default_mapping",
    "entry_reference",
    "import_apply_request",
    "import_apply_run",
    "import_check_run",
    "import_line_pick",
    "import_upload",
    "ledger_day",
    "source_create",
    "source_update",
]
