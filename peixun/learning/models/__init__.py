"""The learning app's data, one module per topic; this package re-exports every model."""

from .imports import ExternalRecord, ExternalSource, ImportBatch, ImportLine

__all__ = ["ExternalRecord", "ExternalSource", "ImportBatch", "ImportLine"]
