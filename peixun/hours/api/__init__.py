"""API v1 for the study-hour ledger, its rules and compliance: reads through `hours.selectors`
(compliance included), writes through `hours.services`.

Statuses, as in the members and orgs APIs:
- anonymous 401;
- an entry, member, org or rule in the path or a query filter that is out of the actor's scope 404;
- a visible entry or org the actor may not change 403 (the service says so), and so is recording
  or filing for an actor who may record for nobody (a viewer, a plain member) or is no member;
- a member id or org named in the body that the actor cannot use, or any bad value, 422 with the
  field named (a member out of scope reads "not in your scope" whether or not it exists).
Hours and other figures are decimals, sent as strings ("2.50") so that nothing is rounded.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import (
    MAX_PAGE,
    Count,
    CountParam,
    Id,
    IdParam,
    OrgRef,
    Paged,
    ReasonIn,
    Year,
    YearParam,
    query_error,
)
from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field

from .. import selectors, services
from ..logic import STATUSES, RuleResult, Totals
from ..models import CreditEntry, Kind, Requirement, Topic
from ..selectors import EntryFilters
from .archive import archive_router, certificates_router

# A page holds at most this many rows, whatever `limit` asks for: a county has 50k members.
# One activity is recorded for at most this many members at once (a large branch, a whole unit).
MAX_MEMBERS_PER_ACTIVITY = 5000
FIRST_YEAR, LAST_YEAR = 2000, 2100
SHARE_PLACES = Decimal("0.0001")

router = Router(tags=["hours"])
compliance_router = Router(tags=["compliance"])


# -- schemas -------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    org_name: str
    on: dt.date
    year: int
    hours: Decimal
    kind: str
    kind_label: str
    topic: str
    topic_label: str
    concentrated: bool
    online: bool
    title: str
    reflection: str
    source: str
    source_label: str
    reference: str
    state: str
    state_label: str
    first_approved: bool
    reverses_id: int | None
    reversed_by_id: int | None
    reason: str
    has_evidence: bool
    recorded_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_member_name(obj: CreditEntry) -> str:
        return obj.member.name

    @staticmethod
    def resolve_org_name(obj: CreditEntry) -> str:
        return obj.org.name

    @staticmethod
    def resolve_kind_label(obj: CreditEntry) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_topic_label(obj: CreditEntry) -> str:
        return str(obj.get_topic_display())

    @staticmethod
    def resolve_source_label(obj: CreditEntry) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_state_label(obj: CreditEntry) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_first_approved(obj: CreditEntry) -> bool:
        return obj.first_approved_by_id is not None

    @staticmethod
    def resolve_reversed_by_id(obj: CreditEntry) -> int | None:
        # The reverse one-to-one raises (an AttributeError) when nothing reverses the entry.
        reversal = getattr(obj, "reversed_by", None)
        return reversal.pk if reversal is not None else None

    @staticmethod
    def resolve_has_evidence(obj: CreditEntry) -> bool:
        return bool(obj.evidence)


class EntryRecordIn(Schema):
    """One activity for each listed member; `year` (the accounting year) defaults to the date's."""

    members: list[Id]
    on: dt.date
    hours: Decimal
    kind: str
    title: str
    topic: str = Topic.OTHER
    concentrated: bool = False
    online: bool = False
    year: Year | None = None
    reference: str = ""


class SelfStudyIn(Schema):
    on: dt.date
    hours: Decimal
    title: str
    topic: str = Topic.OTHER
    reflection: str = ""
    online: bool = False


class RequirementOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    source: str
    applies_to: str
    statuses: list[str]
    positions: list[str]
    cadre_ranks: list[str]
    metric: str
    metric_label: str
    topic: str
    kind: str
    threshold: Decimal
    period_years: int
    cycle_start_year: int | None
    online_cap: Decimal | None
    valid_from_year: int
    valid_to_year: int | None
    is_default: bool

    @staticmethod
    def resolve_org_name(obj: Requirement) -> str:
        return obj.org.name

    @staticmethod
    def resolve_applies_to(obj: Requirement) -> str:
        return selectors.requirement_audience_text(rule_or_data=obj, org=obj.org)

    @staticmethod
    def resolve_metric_label(obj: Requirement) -> str:
        return str(obj.get_metric_display())


class RequirementIn(Schema):
    """A local rule for `org`'s subtree. Empty audience lists mean anyone; a share is per cent."""

    org: Id
    name: str
    source: str = ""
    statuses: list[str] = []
    positions: list[str] = []
    cadre_ranks: list[str] = []
    metric: str
    topic: str = ""
    kind: str = ""
    threshold: Decimal
    period_years: Count = 1
    cycle_start_year: Year | None = None
    online_cap: Decimal | None = None
    valid_from_year: Year | None = None
    valid_to_year: Year | None = None


class RuleCountsOut(Schema):
    requirement_id: int
    name: str
    counts: dict[str, int]


class OrgSummaryOut(Schema):
    org: OrgRef
    members: int
    exempt: int
    coverage: Decimal | None  # share 0..1 of non-exempt members with a concentrated training
    average_hours: Decimal | None
    per_rule: list[RuleCountsOut]


class OrgComplianceOut(OrgSummaryOut):
    year: int
    as_of: dt.date
    # Set when the figures of a large org are read from their kept copy: when they were computed.
    computed_at: dt.datetime | None = None
    children_count: int
    children: list[OrgSummaryOut]


class KindOut(Schema):
    hours: Decimal
    entries: int


class TotalsOut(Schema):
    """Confirmed figures of the year (reversals subtracted); kinds and topics without hours left
    out."""

    total: Decimal
    concentrated: Decimal
    online: Decimal
    concentrated_count: int
    by_kind: dict[str, KindOut]
    by_topic: dict[str, Decimal]


class RuleResultOut(Schema):
    requirement_id: int
    name: str
    required: Decimal
    achieved: Decimal
    gap: Decimal
    due_by_now: Decimal
    status: str


class MemberComplianceOut(Schema):
    member: OrgRef
    org: OrgRef
    year: int
    as_of: dt.date
    exempt: bool
    worst_status: str | None
    totals: TotalsOut
    results: list[RuleResultOut]


# -- helpers -------------------------------------------------------------------------------------


def check_choice(field: str, value: str, values: list[str]) -> None:
    if value and value not in values:
        raise query_error(
            field, _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(values)}
        )


def check_year(year: int | None) -> None:
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise query_error(
            "year",
            _("Enter a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def require_recorder(actor: Actor) -> None:
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise PermissionDenied(_("You may not record study hours."))


def members_in_scope(actor: Actor, ids: list[int]) -> list[Member]:
    """The listed members, each one the actor may record for. An unknown id and one out of
    scope get the same answer, so the error never tells whether a member exists."""
    if not ids:
        raise ValidationError({"members": _("Choose at least one member.")})
    if len(ids) > MAX_MEMBERS_PER_ACTIVITY:
        raise ValidationError(
            {
                "members": _("At most %(max)s members in one request.")
                % {"max": MAX_MEMBERS_PER_ACTIVITY}
            }
        )
    if len(set(ids)) != len(ids):
        raise ValidationError({"members": _("A member is listed twice.")})
    found = selectors.record_members_by_pk(actor=actor, ids=ids)
    outside = [str(pk) for pk in ids if pk not in found]
    if outside:
        raise ValidationError(
            {"members": _("Not in your scope: member %(ids)s.") % {"ids": ", ".join(outside[:20])}}
        )
    return [found[pk] for pk in ids]


def share(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(SHARE_PLACES)


def summary_out(summary: selectors.OrgSummary) -> dict[str, Any]:
    return {
        "org": {"id": summary.org_id, "name": summary.org_name},
        "members": summary.members,
        "exempt": summary.exempt,
        "coverage": share(summary.coverage),
        "average_hours": summary.average_hours,
        "per_rule": [
            {
                "requirement_id": rule_id,
                "name": summary.rule_names.get(rule_id, ""),
                "counts": {status: counts.get(status, 0) for status in STATUSES},
            }
            for rule_id, counts in summary.per_rule.items()
        ],
    }


def totals_out(totals: Totals, member_id: int, year: int, as_of: dt.date) -> dict[str, Any]:
    """The engine's totals, with the year's hours by kind and by topic from the rollup (the
    engine's own `by_topic` and `by_kind_count` hold only what some rule measures)."""
    by_kind: dict[str, dict[str, Any]] = {}
    by_topic: dict[str, Decimal] = {}
    cells = selectors.member_year_cells(member_id=member_id, year=year, as_of=as_of)
    for kind, topic, hours, entries in cells:
        kind_sum = by_kind.setdefault(kind, {"hours": Decimal(0), "entries": 0})
        kind_sum["hours"] += hours
        kind_sum["entries"] += entries
        by_topic[topic] = by_topic.get(topic, Decimal(0)) + hours
    return {
        "total": totals.total,
        "concentrated": totals.concentrated,
        "online": totals.online,
        "concentrated_count": totals.concentrated_count,
        "by_kind": {k: v for k, v in by_kind.items() if v["hours"] or v["entries"]},
        "by_topic": {k: v for k, v in by_topic.items() if v},
    }


def result_out(result: RuleResult) -> dict[str, Any]:
    return {
        "requirement_id": result.requirement_id,
        "name": result.name,
        "required": result.required,
        "achieved": result.achieved,
        "gap": result.gap,
        "due_by_now": result.due_by_now,
        "status": result.status,
    }


def year_and_as_of(year: int | None, as_of: dt.date | None) -> tuple[int, dt.date]:
    chosen = year or (as_of.year if as_of else timezone.localdate().year)
    check_year(chosen)
    if as_of is not None and as_of.year != chosen:
        raise query_error("as_of", _("The date is not in the year %(year)s.") % {"year": chosen})
    return chosen, as_of or selectors.default_as_of(chosen)


# -- entries -------------------------------------------------------------------------------------


@router.get("/entries", response=list[EntryOut])
@paginate(Paged)
def list_entries(
    request: HttpRequest,
    member: IdParam | None = None,
    org: IdParam | None = None,
    year: YearParam | None = None,
    kind: str = "",
    state: str = "",
) -> QuerySet[CreditEntry]:
    """Ledger entries the actor may see, newest first; a plain member sees their own. `org`
    narrows to entries whose branch on their date lies in that org's subtree."""
    check_year(year)
    check_choice("kind", kind, Kind.values)
    check_choice("state", state, CreditEntry.State.values)
    actor = request.user
    filters = EntryFilters(
        org=get_visible_or_404(actor, Organization, org) if org is not None else None,
        member=get_visible_or_404(actor, Member, member) if member is not None else None,
        year=year,
        kind=kind,
        state=state,
    )
    return selectors.entry_list(actor=actor, filters=filters)


@router.post("/entries", response={201: list[EntryOut]})
def record_entries(request: HttpRequest, payload: EntryRecordIn) -> Status[list[CreditEntry]]:
    """Record one activity for every listed member, confirmed at once: all of them, or none."""
    actor = request.user
    require_recorder(actor)
    members = members_in_scope(actor, payload.members)
    entries = services.entry_record(
        actor=actor,
        members=members,
        on=payload.on,
        hours=payload.hours,
        kind=payload.kind,
        title=payload.title,
        topic=payload.topic,
        concentrated=payload.concentrated,
        online=payload.online,
        year=payload.year,
        source=CreditEntry.Source.MANUAL,
        reference=payload.reference,
    )
    return Status(201, selectors.entries_by_pk([e.pk for e in entries]))


@router.post("/entries/{int:entry_id}/reverse", response={201: EntryOut})
def reverse_entry(
    request: HttpRequest, entry_id: IdParam, payload: ReasonIn
) -> Status[CreditEntry]:
    """Correct a confirmed entry by appending its negation (the reversal is returned)."""
    entry = selectors.entry_visible_or_404(actor=request.user, pk=entry_id)
    reversal = services.entry_reverse(actor=request.user, entry=entry, reason=payload.reason)
    return Status(201, selectors.entries_by_pk([reversal.pk])[0])


@router.post("/entries/{int:entry_id}/approve", response=EntryOut)
def approve_entry(request: HttpRequest, entry_id: IdParam) -> CreditEntry:
    """Confirm a pending entry. Where the tenant asks for two stages, a secretary's approval
    leaves it pending with `first_approved` true until an org admin approves it."""
    entry = selectors.entry_visible_or_404(actor=request.user, pk=entry_id)
    services.entry_approve(actor=request.user, entry=entry)
    return selectors.entries_by_pk([entry.pk])[0]


class EntryIdsIn(Schema):
    ids: list[Id]


@router.post("/entries/approve", response=list[EntryOut])
def approve_entries(request: HttpRequest, payload: EntryIdsIn) -> list[CreditEntry]:
    """Approve several pending filings at once, each as the single approve does: all of them, or
    none (422 naming every filing that cannot be approved: unknown or out of scope, no longer
    pending, one's own, or waiting for the org admin). An actor who may approve nothing: 403."""
    entries = services.entries_approve_bulk(actor=request.user, ids=payload.ids)
    return selectors.entries_by_pk([e.pk for e in entries])


@router.post("/entries/{int:entry_id}/reject", response=EntryOut)
def reject_entry(request: HttpRequest, entry_id: IdParam, payload: ReasonIn) -> CreditEntry:
    """Reject a pending entry; the member sees the reason."""
    entry = selectors.entry_visible_or_404(actor=request.user, pk=entry_id)
    services.entry_reject(actor=request.user, entry=entry, reason=payload.reason)
    return selectors.entries_by_pk([entry.pk])[0]


@router.post("/self-study", response={201: EntryOut})
def file_self_study(
    request: HttpRequest,
    payload: Form[SelfStudyIn],
    evidence: UploadedFile | None = File(None),  # type: ignore[assignment,type-arg]  # noqa: B008
) -> Status[CreditEntry]:
    """A member files their own self-study (multipart form, optional `evidence` file: PDF,
    picture or Office document up to 10 MB). It stays pending until the secretary approves it."""
    entry = services.self_study_file(
        actor=request.user,
        on=payload.on,
        hours=payload.hours,
        title=payload.title,
        topic=payload.topic,
        reflection=payload.reflection,
        evidence=evidence,
        online=payload.online,
    )
    return Status(201, selectors.entries_by_pk([entry.pk])[0])


# -- requirements --------------------------------------------------------------------------------


@router.get("/requirements", response=list[RequirementOut])
@paginate(Paged)
def list_requirements(
    request: HttpRequest, org: IdParam | None = None, year: YearParam | None = None
) -> Any:
    """Rules the actor may read: their subtree's and every rule above it. `org` keeps the rules
    that concern that org (set on it, above it or inside its subtree); `year` those in force."""
    check_year(year)
    found = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return selectors.rules_for(actor=request.user, year=year, org=found)


@router.post("/requirements", response={201: RequirementOut})
def create_requirement(request: HttpRequest, payload: RequirementIn) -> Status[Requirement]:
    """A local rule for the subtree of `org`, by an org admin of it."""
    org = org_field(request.user, "org", payload.org)
    data = payload.dict(exclude={"org"})
    rule = services.requirement_create(actor=request.user, org=org, data=data)
    return Status(201, rule)


# -- compliance ----------------------------------------------------------------------------------


@compliance_router.get("/orgs/{int:org_id}", response=OrgComplianceOut)
def org_compliance(
    request: HttpRequest,
    org_id: IdParam,
    year: YearParam | None = None,
    as_of: dt.date | None = None,
    children_offset: CountParam = 0,
    children_limit: CountParam = MAX_PAGE,
) -> dict[str, Any]:
    """The org's members, exempt members, coverage, average hours and per-rule counts by status
    (`year` defaults to this year, `as_of` to today within it or the year's end), and the same
    for each child org (`children_limit` at most 500 per response, `children_count` in all). For
    an org of many members the figures may come from their kept copy: `computed_at` says when
    they were computed (null: computed for this request)."""
    chosen_year, chosen_as_of = year_and_as_of(year, as_of)
    if children_offset < 0:
        raise query_error("children_offset", _("Cannot be negative."))
    limit = max(0, min(children_limit, MAX_PAGE))
    result = services.org_compliance_read(
        actor=request.user, org=org_id, year=chosen_year, as_of=chosen_as_of
    )
    out = summary_out(result.summary)
    out.update(
        year=result.year,
        as_of=result.as_of,
        computed_at=result.computed_at,
        children_count=len(result.children),
        children=[
            summary_out(child)
            for child in result.children[children_offset : children_offset + limit]
        ],
    )
    return out


@compliance_router.get("/members/{int:member_id}", response=MemberComplianceOut)
def member_compliance(
    request: HttpRequest,
    member_id: IdParam,
    year: YearParam | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The member's confirmed totals for the year and each rule's required, achieved, gap, due by
    now and status. An exempt member's rules read "exempt", never "behind"."""
    chosen_year, chosen_as_of = year_and_as_of(year, as_of)
    result = selectors.member_compliance(
        actor=request.user, member=member_id, year=chosen_year, as_of=chosen_as_of
    )
    return {
        "member": {"id": result.member_id, "name": result.name},
        "org": {"id": result.org_id, "name": result.org_name},
        "year": chosen_year,
        "as_of": chosen_as_of,
        "exempt": result.exempt,
        "worst_status": result.worst_status,
        # The member is in scope: `member_compliance` answered 404 otherwise.
        "totals": totals_out(result.totals, result.member_id, chosen_year, chosen_as_of),
        "results": [result_out(r) for r in result.results],
    }


# The printable 培训档案 and the 学时证明 (api/archive.py).
router.add_router("", certificates_router)
compliance_router.add_router("", archive_router)
