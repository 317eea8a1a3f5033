"""Report drafts: created, edited and deleted by a manager of the org (its org admin, or the
secretary of a branch), audited. A draft stores the user's prose only; figures are computed
whenever it is shown or exported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..models import MAX_PROSE, PROSE_FIELDS, ReportDraft, ReportKind
from ..selectors.drafts import default_prose, default_title
from ..selectors.figures import ReportPeriod, clean_period

DRAFT_AUDIT = ["org", "kind", "first_year", "last_year", "as_of", "dated", "title"]
# How far ahead a report may be dated (成文日期): a report is signed when it is written.
MAX_DATED_AHEAD = dt.timedelta(days=366)


def _clean_title(title: Any) -> str:
    text = str(title or "").strip()
    if not text:
        raise ValidationError({"title": _("Give the report a title.")})
    if len(text) > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    return text


def _clean_kind(kind: Any) -> str:
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Choose the kind of report.")})
    return str(kind)


def _clean_dated(dated: Any, period: ReportPeriod) -> dt.date | None:
    """The 成文日期, or None (the day of export): a report on a period is written once its last
    year has begun, and not more than a year ahead of today."""
    if dated in (None, ""):
        return None
    if isinstance(dated, dt.date):
        day = dated
    else:
        try:
            day = dt.date.fromisoformat(str(dated))
        except ValueError:
            raise ValidationError({"dated": _("Give the date as YYYY-MM-DD.")}) from None
    if day < dt.date(period.last_year, 1, 1):
        raise ValidationError(
            {
                "dated": _("A report on %(period)s is dated in %(year)s or later.")
                % {"period": period.label, "year": period.last_year}
            }
        )
    if day > timezone.localdate() + MAX_DATED_AHEAD:
        raise ValidationError({"dated": _("This date is too far in the future.")})
    return day


def _clean_prose(prose: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in prose.items():
        if name not in PROSE_FIELDS:
            raise ValidationError({name: _("Unknown section.")})
        text = str(value or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_PROSE:
            raise ValidationError({name: _("At most %(n)s characters.") % {"n": f"{MAX_PROSE:,}"}})
        out[name] = text
    return out


@transaction.atomic
def draft_create(
    *,
    actor: Actor,
    org: Organization,
    kind: Any,
    first_year: Any,
    last_year: Any = None,
    as_of: Any = None,
    dated: Any = None,
    title: Any = "",
) -> ReportDraft:
    """A new draft of `org` for the years asked, with default prose to replace."""
    require_manage(actor, org)
    kind = _clean_kind(kind)
    period = clean_period(first_year, last_year, as_of)
    text = str(title or "").strip() or default_title(kind, org.name, period)
    draft = ReportDraft.objects.create(
        org=org,
        kind=kind,
        first_year=period.first_year,
        last_year=period.last_year,
        as_of=period.as_of,
        dated=_clean_dated(dated, period),
        title=_clean_title(text),
        created_by_id=actor_id(actor),
        **default_prose(kind),
    )
    audit_record(
        actor=actor, verb="report.create", obj=draft, org=org, after=snapshot(draft, DRAFT_AUDIT)
    )
    return draft


@transaction.atomic
def draft_update(
    *,
    actor: Actor,
    draft: ReportDraft,
    title: Any = None,
    first_year: Any = None,
    last_year: Any = None,
    as_of: Any = ...,
    dated: Any = ...,
    prose: dict[str, Any] | None = None,
) -> ReportDraft:
    """Change the title, the years, the date of the report or the prose (only the fields
    given). The date is checked against the period whenever either changes."""
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    require_manage(actor, draft.org)
    before = snapshot(draft, [*DRAFT_AUDIT, *PROSE_FIELDS])
    if title is not None:
        draft.title = _clean_title(title)
    if first_year is not None or last_year is not None or as_of is not ...:
        period = clean_period(
            draft.first_year if first_year is None else first_year,
            draft.last_year if last_year is None else last_year,
            draft.as_of if as_of is ... else as_of,
        )
        draft.first_year, draft.last_year, draft.as_of = (
            period.first_year,
            period.last_year,
            period.as_of,
        )
    if dated is not ... or draft.dated is not None:
        draft.dated = _clean_dated(
            draft.dated if dated is ... else dated,
            ReportPeriod(draft.first_year, draft.last_year, draft.as_of),
        )
    for name, text in _clean_prose(prose or {}).items():
        setattr(draft, name, text)
    draft.save()
    after = snapshot(draft, [*DRAFT_AUDIT, *PROSE_FIELDS])
    changed = {k for k in after if after[k] != before[k]}
    audit_record(
        actor=actor,
        verb="report.update",
        obj=draft,
        org=draft.org,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return draft


@transaction.atomic
def draft_delete(*, actor: Actor, draft: ReportDraft) -> None:
    require_manage(actor, draft.org)
    before = snapshot(draft, DRAFT_AUDIT)
    org = draft.org
    audit_record(actor=actor, verb="report.delete", obj=draft, org=org, before=before)
    draft.delete()


@transaction.atomic
def draft_export(*, actor: Actor, draft: ReportDraft, fmt: str) -> None:
    """Record that the report was downloaded (it names the org's figures, not people)."""
    audit_record(
        actor=actor,
        verb="report.export",
        obj=draft,
        org=draft.org,
        after={"format": fmt},
    )
