"""Reads of the 学习笔记抽查 rounds: the rounds the actor sees, a round's sample with each
check, the population a round draws from, and the summary per branch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from peixun.core.scoping import Actor, get_visible_or_404
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import NoteCheck, NoteCheckRound

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def note_round_list(
    actor: Actor, *, org: Organization | None = None, year: int | None = None
) -> QuerySet[NoteCheckRound]:
    """Visible rounds with `sampled` and `checked` counts; one query."""
    rounds: QuerySet[NoteCheckRound] = NoteCheckRound.objects.visible_to(actor).select_related(
        "org"
    )
    if org is not None:
        rounds = rounds.filter(org__path__startswith=org.path)
    if year:
        rounds = rounds.filter(year=year)
    return rounds.annotate(
        sampled=Count("checks"), checked=Count("checks", filter=~Q(checks__result=""))
    ).order_by("-year", "-created_at", "-id")


def note_round_years(actor: Actor) -> list[int]:
    years = NoteCheckRound.objects.visible_to(actor).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def note_round_get(actor: Actor, pk: Any) -> NoteCheckRound:
    found = get_visible_or_404(actor, NoteCheckRound, pk)
    check_round: NoteCheckRound = NoteCheckRound.objects.select_related("org").get(pk=found.pk)
    return check_round


def note_round_population(org: Organization) -> list[tuple[int, int]]:
    """(member id, branch id) of the Party members registered in the org's subtree today,
    sorted, so that the same seed over the same roster draws the same sample."""
    rows = (
        Member.objects.filter(org__path__startswith=org.path, status__in=PARTY_STATUSES)
        .order_by("pk")
        .values_list("pk", "org_id")
    )
    return sorted(rows)


def note_checks(check_round: NoteCheckRound) -> QuerySet[NoteCheck]:
    return (
        NoteCheck.objects.filter(round=check_round)
        .select_related("member", "branch")
        .order_by("branch__path", "member__name", "id")
    )


def note_check_get(check_round: NoteCheckRound, pk: Any) -> NoteCheck:
    """A check of this round; another round's, or none, is a 404."""
    return get_object_or_404(
        NoteCheck.objects.select_related("member", "branch", "round__org"),
        round=check_round,
        pk=pk,
    )


@dataclass(frozen=True)
class BranchSummary:
    """One branch's line of a round's summary: how many were sampled, checked, and each result."""

    branch: Organization | None  # None on the totals line
    sampled: int
    checked: int
    results: dict[str, int]

    @property
    def unchecked(self) -> int:
        return self.sampled - self.checked

    @property
    def counts(self) -> list[int]:
        """The count of each result, in the order of `NoteCheck.Result`."""
        return [self.results[value] for value in NoteCheck.Result.values]


def note_round_summary(check_round: NoteCheckRound) -> list[BranchSummary]:
    """Per branch, in tree order: sampled, checked and the count of each result. Two queries."""
    rows = (
        NoteCheck.objects.filter(round=check_round)
        .values("branch_id", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["branch_id"], {})[row["result"]] = row["n"]
    branches = Organization.objects.filter(pk__in=counts).order_by("path")
    summary = []
    for branch in branches:
        by_result = counts[branch.pk]
        sampled = sum(by_result.values())
        results = {value: by_result.get(value, 0) for value in NoteCheck.Result.values}
        summary.append(BranchSummary(branch, sampled, sampled - by_result.get("", 0), results))
    return summary


def summary_totals(summary: list[BranchSummary]) -> BranchSummary | None:
    """The totals line of a round's summary; None for an empty summary."""
    if not summary:
        return None
    results = {
        value: sum(line.results[value] for line in summary) for value in NoteCheck.Result.values
    }
    return BranchSummary(
        None,
        sum(line.sampled for line in summary),
        sum(line.checked for line in summary),
        results,
    )
