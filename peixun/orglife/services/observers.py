"""列席旁听: the superior committee sends someone to sit in on a 中心组学习. The observers are
recorded so that "旁听全覆盖" (every central group observed each year) comes from the data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..models import Meeting, MeetingKind, Observer


def observer_orgs(meeting: Meeting) -> list[Organization]:
    """The organisations an observer may come from: those above the meeting's org."""
    return list(Organization.objects.get_ancestors(meeting.event.org))


@transaction.atomic
def observer_add(
    *, actor: Actor, meeting: Meeting, name: str, org: Organization, title: str = ""
) -> Observer:
    require_manage(actor, meeting.event.org)
    if meeting.kind != MeetingKind.CENTRAL_GROUP:
        raise ValidationError(
            {"meeting": _("Observers are recorded for central group study sessions only.")}
        )
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the observer's name.")
    meeting_path = meeting.event.org.path
    if not (org.path != meeting_path and meeting_path.startswith(org.path)):
        errors["org"] = _("An observer comes from a superior Party committee of this organization.")
    if errors:
        raise ValidationError(errors)
    observer = Observer.objects.create(
        meeting=meeting, name=name[:100], org=org, title=(title or "").strip()[:100]
    )
    audit_record(
        actor=actor,
        verb="meeting.observer_add",
        obj=meeting,
        org=meeting.event.org,
        after={"observer": observer.name, "org_id": org.pk, "title": observer.title},
    )
    return observer


@transaction.atomic
def observer_remove(*, actor: Actor, observer: Observer) -> None:
    meeting = observer.meeting
    require_manage(actor, meeting.event.org)
    before = {"observer": observer.name, "org_id": observer.org_id, "title": observer.title}
    observer.delete()
    audit_record(
        actor=actor,
        verb="meeting.observer_remove",
        obj=meeting,
        org=meeting.event.org,
        before=before,
    )
