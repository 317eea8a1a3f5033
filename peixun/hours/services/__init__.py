"""Every write of the study-hour ledger and its rules, one module per topic: `entries` (record,
file, approve, reject, reverse), `rules` (requirement rules and the national defaults),
`rollups` (the yearly rollup kept with the ledger), `warnings` (the daily early warnings, which
send notifications), `exports` (audited files)."""

from .archive import (
    DOCUMENT_FORMATS,
    archive_export,
    certificate_export,
    certificate_issue,
)
from .bulk import entries_record_bulk
from .compliance import (
    compliance_judge_and_keep,
    compliance_snapshot_store,
    compliance_snapshots_refresh,
    org_compliance_read,
    workbench_summaries,
)
from .entries import (
    ENTRY_AUDIT,
    EVIDENCE_SIGNATURES,
    EVIDENCE_TYPES,
    MAX_BULK_APPROVE,
    MAX_EVIDENCE_BYTES,
    clean_hours,
    entries_approve_bulk,
    entries_reverse_reference,
    entry_approve,
    entry_record,
    entry_reject,
    entry_reverse,
    reversal_of,
    self_study_file,
)
from .exports import compliance_drilldown_export, ledger_export
from .partitions import partitions_ensure, partitions_overview
from .rollups import rollup_add_bulk, rollup_apply, rollup_rebuild
from .rules import (
    BRANCH_LEADERS,
    DEFAULT_RULES,
    REQUIREMENT_FIELDS,
    clean_requirement,
    requirement_create,
    requirement_retire,
    requirements_seed_defaults,
)
from .warnings import SystemActor, WarningReport, warnings_run

__all__ = [
    "partitions_ensure",
    "partitions_overview",
    "DOCUMENT_FORMATS",
    "archive_export",
    "certificate_export",
    "certificate_issue",
    "BRANCH_LEADERS",
    "DEFAULT_RULES",
    "ENTRY_AUDIT",
    "EVIDENCE_SIGNATURES",
    "EVIDENCE_TYPES",
    "MAX_BULK_APPROVE",
    "MAX_EVIDENCE_BYTES",
    "REQUIREMENT_FIELDS",
    "SystemActor",
    "WarningReport",
    "clean_hours",
    "clean_requirement",
    "compliance_drilldown_export",
    "compliance_judge_and_keep",
    "compliance_snapshot_store",
    "compliance_snapshots_refresh",
    "entries_approve_bulk",
    "entries_record_bulk",
    "entries_reverse_reference",
    "entry_approve",
    "entry_record",
    "entry_reject",
    "entry_reverse",
    "ledger_export",
    "org_compliance_read",
    "reversal_of",
    "requirement_create",
    "requirement_retire",
    "requirements_seed_defaults",
    "rollup_add_bulk",
    "rollup_apply",
    "rollup_rebuild",
    "self_study_file",
    "warnings_run",
    "workbench_summaries",
]
