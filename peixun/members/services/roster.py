"""The roster's writes: the import and the audited export (the workbooks are `documents`).

roster_import: a whole .xlsx roster checked first, then written all at once or not at all.

Every row passes through `clean_member_fields`, the one place member field rules live. A row
whose ID number is already registered updates that member (matched by the keyed hash, never by
decrypting); a changed org on such a row is a transfer. Reads are batched (one query for the
matched members, one for the orgs named in the file, one for the open memberships of transfers)
and writes are bulk, so 10,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, audit_record_many, build_event, snapshot
from peixun.core.crypto import keyed_hash
from peixun.core.idcard import id_number_problem, normalise_id_number
from peixun.core.models import AuditEvent
from peixun.core.scoping import Actor, can_admin_org, path_in, scope_of
from peixun.core.spreadsheets import RowError, SheetFileError, cell_text, looks_numeric
from peixun.core.text import fold_width
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, org_above_label, org_above_labels

from ..documents import (
    ORG_ABOVE,
    ORG_ABOVE_HEADER,
    ROSTER_FIELDS,
    RosterSheet,
    cell_value,
    header_for,
    map_headers,
    read_roster_sheet,
    roster_workbook,
)
from ..logic import clean_member_fields
from ..models import Member, Membership
from ..selectors import MemberFilters, member_list
from .members import AUDIT_FIELDS, set_id_number

# Fields an update may change (the ID number is the key; the org changes by transfer).
UPDATABLE_FIELDS: tuple[str, ...] = tuple(f for f in ROSTER_FIELDS if f not in ("id_number", "org"))
_VALUE_SHOWN_MAX = 60


@dataclass
class RosterImportResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0  # members whose stored facts change (transfers included)
    unchanged: int = 0  # rows matching a member whose facts are already as written
    transferred: int = 0  # of `updated`, those moving to another org


T = TypeVar("T")


@dataclass
class _Update:
    row: int
    member: Member
    changes: dict[str, Any]
    before: dict[str, Any]
    to_org: Organization | None = None


@dataclass
class _Plan:
    errors: list[RowError] = field(default_factory=list)
    creates: list[Member] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    closing: list[Membership] = field(default_factory=list)  # open memberships of transfers
    unchanged: int = 0
    column_order: dict[str, int] = field(default_factory=dict)  # header → position in the file

    def result(self, ok: bool) -> RosterImportResult:
        order = self.column_order
        errors = sorted(self.errors, key=lambda e: (e.row or 0, order.get(e.column, 999)))
        if not ok:
            # A rejected file stores nothing, so it creates, updates and transfers nothing.
            return RosterImportResult(ok=False, errors=errors)
        return RosterImportResult(
            ok=ok,
            errors=errors,
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            transferred=sum(1 for u in self.updates if u.to_org is not None),
        )


def _file_error(message: str) -> RosterImportResult:
    return RosterImportResult(ok=False, errors=[RowError(None, "", "", message)])


def _shown(value: object) -> str:
    text = cell_text(value)
    return text if len(text) <= _VALUE_SHOWN_MAX else text[: _VALUE_SHOWN_MAX - 1] + "…"


def roster_import(
    *, actor: Actor, data: bytes, filename: str = "", dry_run: bool
) -> RosterImportResult:
    """Check `data` (an .xlsx roster) and, unless `dry_run` or any row has a problem, write it.

    Raises PermissionDenied for an actor who manages no org; every problem with the file or its
    rows comes back in the result, never as an exception.
    """
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise PermissionDenied(_("You may not change records of this organization."))
    limit = int(settings.ROSTER_MAX_UPLOAD_BYTES)
    if len(data) > limit:
        return _file_error(
            _("The file is larger than %(limit)d MB; split it into parts.")
            % {"limit": limit // (1024 * 1024)}
        )
    try:
        sheet = read_roster_sheet(data)
    except SheetFileError as problem:
        return _file_error(problem.message)
    columns, header_errors = map_headers(sheet)
    if header_errors:
        return RosterImportResult(ok=False, errors=header_errors)

    # A dry run takes no write lock (SQLite's IMMEDIATE transactions would serialise it).
    writing = transaction.atomic() if not dry_run else contextlib.nullcontext()
    try:
        with writing:
            plan = _plan(actor, sheet, columns, lock=not dry_run)
            if plan.errors or dry_run:
                return plan.result(ok=not plan.errors)
            result = plan.result(ok=True)
            _write(actor, plan, result, filename=filename, rows=len(sheet.rows))
            return result
    except IntegrityError:
        # Someone registered one of these ID numbers between our check and our write.
        return _file_error(
            _("The roster changed while importing; nothing was saved. Upload the file again.")
        )


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = connection.features.max_query_params or 10_000
    size = max(100, min(size - 10, 10_000))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(hashes: list[str], lock: bool) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _chunks(hashes):
        query = Member.objects.filter(id_number_hash__in=chunk).select_related("org")
        if lock and connection.features.has_select_for_update:
            query = query.select_for_update(of=("self",))
        found.update((m.id_number_hash, m) for m in query)
    return found


class _OrgResolver:
    """The orgs a file names, looked up once: by code, else by name, among open orgs the actor
    manages. Anything else reads as "not found", so the message reveals nothing out of scope."""

    def __init__(self, actor: Actor, names: set[str]) -> None:
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = {}
        wanted = sorted(n for n in names if n)
        if not wanted:
            return
        orgs = list(
            Organization.objects.manageable_by(actor)
            .filter(closed_on__isnull=True)
            .filter(Q(code__in=wanted) | Q(name__in=wanted))
        )
        # For the 上级党组织 column, which tells same-named orgs apart (one query).
        attach_ancestor_names(orgs)
        for org in orgs:
            self.by_code[org.code] = org
            self.by_name.setdefault(org.name, []).append(org)

    def resolve(self, text: str, above: str = "") -> tuple[Organization | None, str]:
        """The org a row names by code or name; `above` (the 上级党组织 cell, as the export
        writes it or just the parent's name) chooses among several of the same name."""
        if text in self.by_code:
            org = self.by_code[text]
        else:
            named = self.by_name.get(text, [])
            if len(named) > 1 and above:
                named = [o for o in named if _sits_under(o, above)]
            if len(named) > 1:
                return None, _(
                    "Several organizations you manage have this name; write its code instead, "
                    "or the organizations above it in a %(column)s column."
                ) % {"column": ORG_ABOVE_HEADER}
            if not named:
                return None, _("No such Party organization, or you may not register members in it.")
            org = named[0]
        if not org.accepts_members:
            return None, _("Members belong to a branch or a Party group, not to %(name)s.") % {
                "name": org.name
            }
        return org, ""


def _sits_under(org: Organization, above: str) -> bool:
    """Whether `above` names where `org` sits: its whole 上级党组织 label, or its parent's name."""
    trail: list[str] = getattr(org, "trail", [])
    wanted = " › ".join(part.strip() for part in above.replace(">", "›").split("›"))
    return wanted == org_above_label(org) or (bool(trail) and wanted == trail[-1])


def _plan(actor: Actor, sheet: RosterSheet, columns: dict[str, int], *, lock: bool) -> _Plan:
    header_of = {f: sheet.headers[i] for f, i in columns.items()}
    plan = _Plan(column_order={header: i for i, header in enumerate(sheet.headers)})
    scope = scope_of(actor)

    def cell(cells: list[Any], name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    # Pass 1: the keys of every row, so members and orgs are each fetched in one go.
    numbers: dict[int, str] = {}
    for row, cells in sheet.rows:
        number = normalise_id_number(cell_text(cell(cells, "id_number")))
        if id_number_problem(number) is None:
            numbers[row] = number
    hashes = {number: keyed_hash(number) for number in set(numbers.values())}
    existing = _load_existing(sorted(hashes.values()), lock)
    orgs = _OrgResolver(
        actor, {fold_width(cell_text(cell(cells, "org"))) for _row, cells in sheet.rows}
    )

    first_row_of: dict[str, int] = {}
    transfers: list[_Update] = []
    for row, cells in sheet.rows:
        row_errors: list[RowError] = []

        def problem(name: str, message: str) -> None:
            column = header_of.get(name) or header_for(name)
            row_errors.append(RowError(row, column, _shown(cell(cells, name)), message))  # noqa: B023

        id_number = numbers.get(row)
        member = existing.get(hashes[id_number]) if id_number else None
        if id_number:
            if id_number in first_row_of:
                problem(
                    "id_number",
                    _("The same ID number is already on row %(row)d.")
                    % {"row": first_row_of[id_number]},
                )
                plan.errors.extend(row_errors)
                continue
            first_row_of[id_number] = row
        if member is not None and not (
            scope.platform or path_in(member.org.path, scope.manage_paths)
        ):
            problem(
                "id_number",
                _("This ID number belongs to a member of an organization you do not manage."),
            )
            plan.errors.extend(row_errors)
            continue

        raw = {
            name: cell_value(name, cell(cells, name))
            for name in columns
            if name not in ("org", ORG_ABOVE)
        }
        if member is not None:
            # Columns the file leaves out keep their stored values, and cross-field rules
            # (dates against each other, status against the joining date) see them.
            for name in UPDATABLE_FIELDS:
                if name not in columns:
                    raw[name] = getattr(member, name)
        clean, field_errors = clean_member_fields(raw)
        for name, message in field_errors.items():
            if name == "id_number" and looks_numeric(cell(cells, "id_number")):
                message += " " + _(
                    "The cell holds a number, which Excel rounds; format the column as text."
                )
            problem(name, message)

        org_text = fold_width(cell_text(cell(cells, "org")))
        org: Organization | None = None
        if not org_text:
            problem("org", _("This field is required."))
        else:
            above = fold_width(cell_text(cell(cells, ORG_ABOVE))).strip()
            org, org_problem = orgs.resolve(org_text, above)
            if org_problem:
                problem("org", org_problem)

        if row_errors or org is None:
            plan.errors.extend(row_errors)
            continue
        clean.pop("id_number", None)
        if member is None:
            created = Member(org=org, **clean)
            set_id_number(created, id_number or "")
            plan.creates.append(created)
            continue
        changes = {k: v for k, v in clean.items() if getattr(member, k) != v}
        moved = org.pk != member.org_id
        if not changes and not moved:
            plan.unchanged += 1
            continue
        update = _Update(
            row=row,
            member=member,
            changes=changes,
            before=snapshot(member, AUDIT_FIELDS),
            to_org=org if moved else None,
        )
        plan.updates.append(update)
        if moved:
            transfers.append(update)

    _check_transfers(plan, transfers, header_of.get("org") or header_for("org"))
    return plan


def _check_transfers(plan: _Plan, transfers: list[_Update], org_header: str) -> None:
    """A transfer closes the open membership today, so it must have started before today."""
    if not transfers:
        return
    today = timezone.localdate()
    for chunk in _chunks([u.member.pk for u in transfers]):
        plan.closing.extend(Membership.objects.filter(member_id__in=chunk, until__isnull=True))
    open_since = {m.member_id: m.since for m in plan.closing}
    for update in transfers:
        since = open_since.get(update.member.pk)
        if since is not None and since >= today:
            assert update.to_org is not None
            plan.errors.append(
                RowError(
                    update.row,
                    org_header,
                    update.to_org.name,
                    _("The member joined the current organization today; transfer tomorrow."),
                )
            )


def _write(
    actor: Actor, plan: _Plan, result: RosterImportResult, *, filename: str, rows: int
) -> None:
    today = timezone.localdate()
    now = timezone.now()
    events: list[AuditEvent] = []

    Member.objects.bulk_create(plan.creates, batch_size=500)
    Membership.objects.bulk_create(
        [Membership(member=m, org=m.org, since=m.joined_on or today) for m in plan.creates],
        batch_size=1000,
    )
    for member in plan.creates:
        events.append(
            build_event(
                actor=actor,
                verb="member.create",
                obj=member,
                org=member.org,
                after=snapshot(member, AUDIT_FIELDS),
            )
        )

    changed_fields: set[str] = set()
    opening: list[Membership] = []
    for update in plan.updates:
        member = update.member
        for name, value in update.changes.items():
            setattr(member, name, value)
            changed_fields.add(name)
        member.updated_at = now
        if update.changes:
            events.append(
                build_event(
                    actor=actor,
                    verb="member.update",
                    obj=member,
                    org=member.org,
                    before=update.before,
                    after=snapshot(member, AUDIT_FIELDS),
                )
            )
        if update.to_org is not None:
            from_org = member.org
            member.org = update.to_org
            changed_fields.add("org")
            opening.append(
                Membership(member=member, org=update.to_org, since=today, note=_("Roster import"))
            )
            events.append(
                build_event(
                    actor=actor,
                    verb="member.transfer",
                    obj=member,
                    org=update.to_org,
                    before={"org": from_org.pk},
                    after={"org": update.to_org.pk, "since": today, "note": _("Roster import")},
                )
            )
    if plan.updates:
        Member.objects.bulk_update(
            [u.member for u in plan.updates],
            sorted(changed_fields | {"updated_at"}),
            batch_size=500,
        )
    if opening:
        for membership in plan.closing:
            membership.until = today
        Membership.objects.bulk_update(plan.closing, ["until"], batch_size=1000)
        Membership.objects.bulk_create(opening, batch_size=1000)

    audit_record_many(events)
    audit_record(
        actor=actor,
        verb="roster.import",
        object_type="members.roster",
        object_repr=(filename or "roster.xlsx")[:200],
        org=_common_org([m.org for m in plan.creates] + [u.member.org for u in plan.updates]),
        after={
            "filename": filename[:200],
            "rows": rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "transferred": result.transferred,
        },
    )


def _common_org(orgs: list[Organization]) -> Organization | None:
    """The deepest org above all of `orgs`, so the audit event shows in that subtree's trail."""
    if not orgs:
        return None
    paths = {o.path for o in orgs}
    prefix = min(paths, key=len)
    for path in paths:
        while not path.startswith(prefix):
            prefix = prefix[: -Organization.steplen]
    if not prefix:
        return None
    return (
        next((o for o in orgs if o.path == prefix), None)
        or Organization.objects.filter(path=prefix).first()
    )


def _scope_org(actor: Actor, filters: MemberFilters) -> Organization | None:
    if filters.org is not None:
        return filters.org
    paths = scope_of(actor).read_paths
    return Organization.objects.filter(path=paths[0]).first() if len(paths) == 1 else None


def roster_export(*, actor: Actor, filters: MemberFilters | None = None) -> bytes:
    """The roster the actor can see (with the list's filters) as .xlsx, audited.

    ID numbers are in plain text only where the actor is an org admin over the member's org
    (decrypted only then); elsewhere masked.
    """
    scope = scope_of(actor)
    if not scope.is_staff_like:
        raise PermissionDenied(_("You may not export this roster."))
    filters = filters or MemberFilters()
    listed = member_list(actor=actor, filters=filters)
    # The 上级党组织 column: where each member's org sits, so same-named branches differ.
    above = org_above_labels(listed.order_by().values_list("org_id", flat=True).distinct())
    rows = 0
    revealed: list[int] = []

    def members_with_id_numbers() -> Iterator[tuple[Member, str]]:
        nonlocal rows
        for member in listed.iterator(chunk_size=2000):
            if can_admin_org(actor, member.org):
                id_number = member.reveal_id_number()
                revealed.append(member.pk)
            else:
                id_number = member.id_number_masked
            rows += 1
            yield member, id_number

    scope_org = _scope_org(actor, filters)
    data = roster_workbook(
        members_with_id_numbers(),
        org_above=above,
        org_name=scope_org.name if scope_org else "",
    )
    audit_record(
        actor=actor,
        verb="roster.export",
        object_type="members.roster",
        object_repr=_("Roster export"),
        org=scope_org,
        after={
            "rows": rows,
            "revealed_id_numbers": len(revealed),
            # Whose plain ID numbers left in the file (等保: a bulk export names its people).
            "revealed_members": revealed,
            "filters": {
                "org": filters.org.pk if filters.org else None,
                "status": filters.status,
                "cadre_rank": filters.cadre_rank,
                "position": filters.position,
                "exempt": filters.exempt,
                "employment": filters.employment,
                "q": filters.q,
            },
        },
    )
    return data
