"""The meetings list as an .xlsx 台账 (one row per meeting, with the list's filters): what a unit
copies into the counts it reports upward. Text cells go through `neutralise_formula`; every
export is audited."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from peixun.core.audit import audit_record
from peixun.core.text import neutralise_formula
from peixun.events.registry import expected_member_ids

from .. import selectors
from ..models import Meeting
from .meetings import list_filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: Any) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def meetings_workbook(meetings: list[Meeting]) -> bytes:
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Meetings"))
        sheet.freeze_panes = "A2"
        headers = [
            _("date"),
            _("time"),
            _("kind of meeting"),
            _("subject"),
            _("held by"),
            _("place"),
            _("host"),
            _("expected"),
            _("present"),
            _("hours"),
            _("observers"),
            _("state"),
        ]
        row = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            row.append(cell)
        sheet.append(row)
        for meeting in meetings:
            event = meeting.event
            starts = timezone.localtime(event.starts_at)
            ends = timezone.localtime(event.ends_at)
            sheet.append(
                [
                    starts.date().isoformat(),
                    f"{starts:%H:%M}–{ends:%H:%M}",
                    str(meeting.get_kind_display()),
                    neutralise_formula(event.title),
                    neutralise_formula(event.org.name),
                    neutralise_formula(event.place),
                    neutralise_formula(meeting.host),
                    expected_member_ids(event).count(),
                    meeting.present_count,  # type: ignore[attr-defined]
                    _number(event.hours),
                    meeting.observer_count,  # type: ignore[attr-defined]
                    str(event.get_state_display()),
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
@never_cache
def meeting_export(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    _form, filters = list_filters(request)
    meetings = list(selectors.meeting_list(actor, **filters))
    data = meetings_workbook(meetings)
    audit_record(
        actor=actor,
        verb="meeting.export",
        after={
            "rows": len(meetings),
            **{k: (v.pk if hasattr(v, "pk") else v) for k, v in filters.items()},
        },
    )
    response = HttpResponse(data, content_type=XLSX)
    filename = f"meetings-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
