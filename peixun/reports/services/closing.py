"""Year-end closing (年度结账): an org admin freezes the figures of a year that has ended for their
subtree. Once closed, a year's report shows the frozen figures, with any later correction beside
them as an adjustment."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_admin
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..models import YearClosing
from ..selectors.figures import ReportPeriod, clean_period, report_figures


@transaction.atomic
def year_close(*, actor: Actor, org: Organization, year: Any) -> YearClosing:
    require_admin(actor, org)
    period = clean_period(year, year)
    if period.first_year >= timezone.localdate().year:
        raise ValidationError({"year": _("A year can be closed once it has ended.")})
    if YearClosing.objects.filter(org=org, year=period.first_year).exists():
        raise ValidationError(
            {"year": _("%(year)s is already closed for this organization.") % {"year": year}}
        )
    values = report_figures(
        actor=actor, org=org, period=ReportPeriod(period.first_year, period.first_year)
    )
    frozen = {key: None if f.value is None else str(f.value) for key, f in values.items()}
    closing = YearClosing.objects.create(
        org=org, year=period.first_year, figures=frozen, closed_by_id=actor_id(actor)
    )
    audit_record(
        actor=actor,
        verb="report.close_year",
        obj=closing,
        org=org,
        after={"year": closing.year, "figures": frozen},
    )
    return closing
