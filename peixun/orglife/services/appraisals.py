"""民主评议党员: each member's result, set in bulk by the meeting's org, one row per member."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.members.models import Member

from ..models import AppraisalResult, Meeting, MeetingKind


class Appraisal(NamedTuple):
    member: Member
    result: str  # a Result value; "" clears the member's result
    note: str = ""


@transaction.atomic
def appraisals_set(
    *, actor: Actor, meeting: Meeting, results: Iterable[Appraisal]
) -> list[AppraisalResult]:
    """Set (or with result "" clear) the results of the members named; all or none. Each
    member must belong to the meeting's organisation or below it."""
    require_manage(actor, meeting.event.org)
    if meeting.kind != MeetingKind.APPRAISAL:
        raise ValidationError(
            {"meeting": _("Results are recorded for a democratic appraisal of members only.")}
        )
    rows = list(results)
    errors: list[str] = []
    seen: set[int] = set()
    org_path = meeting.event.org.path
    for row in rows:
        if row.member.pk in seen:
            errors.append(_("%(name)s is listed twice.") % {"name": row.member.name})
        seen.add(row.member.pk)
        if not row.member.org.path.startswith(org_path):
            errors.append(
                _("%(name)s is not a member of this organization.") % {"name": row.member.name}
            )
        if row.result and row.result not in AppraisalResult.Result.values:
            errors.append(_("Unknown result for %(name)s.") % {"name": row.member.name})
        if len(row.note or "") > 300:
            errors.append(
                _("The note for %(name)s is longer than 300 characters.")
                % {"name": row.member.name}
            )
    if errors:
        raise ValidationError({"results": errors})
    before = dict(
        AppraisalResult.objects.filter(meeting=meeting, member_id__in=seen).values_list(
            "member_id", "result"
        )
    )
    stored: list[AppraisalResult] = []
    for row in rows:
        if not row.result:
            AppraisalResult.objects.filter(meeting=meeting, member=row.member).delete()
            continue
        result, _created = AppraisalResult.objects.update_or_create(
            meeting=meeting,
            member=row.member,
            defaults={"result": row.result, "note": (row.note or "").strip()},
        )
        stored.append(result)
    audit_record(
        actor=actor,
        verb="meeting.appraisals",
        obj=meeting,
        org=meeting.event.org,
        before={str(k): v for k, v in before.items()},
        after={str(r.member.pk): r.result for r in rows},
    )
    return stored
