"""The blank template and the export: workbooks with the same headers the import reads."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, can_admin_org, scope_of
from peixun.core.text import neutralise_formula
from peixun.orgs.models import Organization

from ..models import ETHNICITIES, Member
from ..selectors import MemberFilters, member_list
from ..logic import CHOICE_FIELDS, choice_help
from .columns import DATE_COLUMNS, REQUIRED_COLUMNS, ROSTER_FIELDS, TEXT_COLUMNS, roster_headers

DATE_FORMAT = "yyyy-mm-dd"
_WIDTHS = {"name": 12, "id_number": 22, "mobile": 14, "org": 28}


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook) -> None:
    """The second sheet: for every column, whether it is required and what it accepts."""
    sheet = workbook.create_sheet(_("How to fill in"))
    sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_help = _("A date: 2020-1-5, 2020/01/05, 2020.1.5, 2020年1月5日, or a date cell in Excel.")
    rules: dict[str, str] = {
        "name": _("The member's name, at most 40 characters."),
        "gender": _("One of: %(choices)s. Left blank, it is read from the ID number."),
        "ethnicity": _("One of the 56 ethnic groups, e.g. %(example)s.")
        % {"example": "、".join(ETHNICITIES[:3])},
        "birth_date": date_help + " " + _("Left blank, it is read from the ID number."),
        "id_number": _(
            "The 18-character ID number (GB 11643); it identifies the member, so importing "
            "the same number again updates that member."
        ),
        "mobile": _("An 11-digit mainland mobile number."),
        "education": _("One of: %(choices)s."),
        "joined_on": date_help + " " + _("Required for full and probationary members."),
        "confirmed_on": date_help,
        "status": _("One of: %(choices)s."),
        "cadre_rank": _("One of: %(choices)s. Left blank, it means not a cadre."),
        "employment": _("One of: %(choices)s. Left blank, it means on duty."),
        "exempt_reason": _(
            "Leave blank unless exempt from study (Art. 23); then one of: %(choices)s."
        ),
        "org": _(
            "The code or the full name of a branch or Party group you manage. A different "
            "organization for a registered member transfers the member today."
        ),
    }
    for field, header in zip(ROSTER_FIELDS, roster_headers(), strict=True):
        text = rules[field]
        if field in CHOICE_FIELDS:
            text = text % {"choices": choice_help(field)}
        sheet.append([header, _("Yes") if field in REQUIRED_COLUMNS else "", text])
    sheet.append([])
    sheet.append(
        [
            _(
                "Fill in the first sheet, one member per row, below the headers. Keep the headers "
                "as they are. Nothing is saved until every row is correct."
            )
        ]
    )
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 90


def roster_template() -> bytes:
    """An empty roster: the headers, text-formatted ID and mobile columns, drop-downs for the
    choice columns, and a sheet of instructions. No sample row, so it imports as it is."""
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Roster")
        sheet.append(roster_headers())
        sheet.freeze_panes = "A2"
        for index, field in enumerate(ROSTER_FIELDS, start=1):
            letter = get_column_letter(index)
            header = sheet.cell(row=1, column=index)
            header.font = Font(bold=True)
            sheet.column_dimensions[letter].width = _WIDTHS.get(field, 12)
            cells = f"{letter}2:{letter}5001"
            # A column style, so what people type there later takes it: IDs stay text instead
            # of numbers Excel rounds, dates show as dates.
            if field in TEXT_COLUMNS:
                sheet.column_dimensions[letter].number_format = "@"
            if field in DATE_COLUMNS:
                sheet.column_dimensions[letter].number_format = DATE_FORMAT
            if field in CHOICE_FIELDS:
                labels = ",".join(
                    str(label) for value, label in CHOICE_FIELDS[field].choices if value
                )
                if len(labels) <= 250:  # Excel's limit for an inline list
                    check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
                    check.showErrorMessage = False  # the import judges, with better messages
                    sheet.add_data_validation(check)
                    check.add(cells)
        _instructions(workbook)
        return _workbook_bytes(workbook)


def _scope_org(actor: Actor, filters: MemberFilters) -> Organization | None:
    if filters.org is not None:
        return filters.org
    paths = scope_of(actor).read_paths
    return Organization.objects.filter(path=paths[0]).first() if len(paths) == 1 else None


def roster_export(*, actor: Actor, filters: MemberFilters | None = None) -> bytes:
    """The roster the actor can see (with the list's filters) as .xlsx, audited.

    ID numbers are in plain text only where the actor is an org admin over the member's org
    (decrypted only then); elsewhere masked. Text cells go through `neutralise_formula`.
    """
    scope = scope_of(actor)
    if not scope.is_staff_like:
        raise PermissionDenied(_("You may not export this roster."))
    filters = filters or MemberFilters()
    rows = 0
    revealed = 0
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Roster"))
        for index, field in enumerate(ROSTER_FIELDS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(field, 12)
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in roster_headers():
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        labels = {
            field: {value: str(label) for value, label in choices.choices}
            for field, choices in CHOICE_FIELDS.items()
        }
        for member in member_list(actor=actor, filters=filters).iterator(chunk_size=2000):
            if can_admin_org(actor, member.org):
                id_number = member.reveal_id_number()
                revealed += 1
            else:
                id_number = member.id_number_masked
            values: dict[str, Any] = {
                name: getattr(member, name) for name in ROSTER_FIELDS if hasattr(Member, name)
            }
            values["id_number"] = id_number
            values["org"] = member.org.name
            for field, by_value in labels.items():
                stored = values[field]
                values[field] = by_value.get(stored, stored) if stored else ""
            sheet.append([_export_cell(sheet, values[field]) for field in ROSTER_FIELDS])
            rows += 1
        data = _workbook_bytes(workbook)
    audit_record(
        actor=actor,
        verb="roster.export",
        object_type="members.roster",
        object_repr=_("Roster export"),
        org=_scope_org(actor, filters),
        after={
            "rows": rows,
            "revealed_id_numbers": revealed,
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


def _export_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None:
        return None
    return neutralise_formula(str(value))
