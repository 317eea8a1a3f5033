"""Reads of the external records import: only for those who manage the source's org (an org
admin for their subtree, a secretary for their branch); everyone else finds nothing (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from peixun.core.scoping import Actor, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models.imports import ExternalRecord, ExternalSource, ImportBatch, ImportLine


def require_importer(actor: Actor) -> None:
    """Who may open the import pages at all: whoever manages some org."""
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404


def source_list(actor: Actor) -> QuerySet[ExternalSource]:
    return ExternalSource.objects.manageable_by(actor).select_related("org")


def source_get(actor: Actor, pk: int) -> ExternalSource:
    try:
        return source_list(actor).get(pk=pk)
    except ExternalSource.DoesNotExist:
        raise Http404 from None


def source_orgs(actor: Actor) -> QuerySet[Organization]:
    """The orgs a source may be created for: those the actor manages."""
    return Organization.objects.manageable_by(actor).order_by("path")


def batch_list(actor: Actor) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.manageable_by(actor).select_related("source__org", "created_by")


def batch_get(actor: Actor, pk: int) -> ImportBatch:
    try:
        return batch_list(actor).get(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def batch_lines(batch: ImportBatch, state: str = "") -> QuerySet[ImportLine]:
    """The report's lines of a batch the caller got through `batch_get`."""
    lines = batch.lines.select_related("member__org")
    return lines.filter(state=state) if state else lines


def line_get(actor: Actor, pk: int) -> ImportLine:
    try:
        line: ImportLine = (
            ImportLine.objects.manageable_by(actor)
            .select_related("batch__source__org", "member")
            .get(pk=pk)
        )
    except ImportLine.DoesNotExist:
        raise Http404 from None
    return line


def pick_candidates(batch: ImportBatch) -> QuerySet[Member]:
    """Who a reviewer may pick for a line: any member of the source's org and below."""
    return Member.objects.filter(org__path__startswith=batch.source.org.path).select_related("org")


def members_by_id(ids: list[int]) -> dict[int, Member]:
    return Member.objects.select_related("org").in_bulk(ids)


def record_list(actor: Actor) -> QuerySet[ExternalRecord]:
    """External records the actor may read (a member: their own), newest period first."""
    return ExternalRecord.objects.visible_to(actor).select_related("source", "member", "entry")
