"""Reads of the printable 培训档案 and the 学时证明: a member's record over a year or a range of
years, the figures a certificate states, and the certificates issued.

Every figure here is a named selector with a test that computes it by hand
(`tests/test_archive_selectors.py`). The record's rule results come from the compliance
selectors (one year at a time, as the archive page shows them); its hours by kind from the
yearly rollup; its entries from the ledger (confirmed lines, reversals included, so that the
lines add up to the year's total); its classes and tests from the apps above (`registry`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.scoping import Actor, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..logic import RuleResult
from ..models import CreditEntry, HoursCertificate, Kind, YearlyRollup
from ..registry import ArchiveLine, archive_lines
from .compliance import STATUS_LABELS, default_as_of, member_compliance

ZERO = Decimal(0)
CENT = Decimal("0.01")
# A record or certificate covers at most this many years (two five-year plans).
MAX_ARCHIVE_YEARS = 10
FIRST_ARCHIVE_YEAR = 2000

# Where an entry's hours came from, as the record shows it.
SOURCE_LABELS: dict[str, Any] = {
    "class": gettext_lazy("Training class"),
    "meeting": gettext_lazy("Meeting"),
    "test": gettext_lazy("Knowledge test"),
    "self_study": gettext_lazy("Self-study"),
    "course": gettext_lazy("Online course"),
    "import": gettext_lazy("Import"),
    "manual": gettext_lazy("Recorded by hand"),
}
# Ledger kinds a class session credits (training.services.classes.credit_kind_of); an event
# credited with any other kind is a meeting (orglife.models.LEDGER_KIND).
CLASS_KINDS = frozenset({Kind.CONCENTRATED_TRAINING, Kind.ONLINE_TRAINING, Kind.UPPER_DISPATCH})


def entry_source(entry: CreditEntry) -> str:
    """class / meeting / test / self_study / course / import / manual, for one ledger line."""
    source = entry.source
    if source == CreditEntry.Source.EVENT:
        return "class" if entry.kind in CLASS_KINDS else "meeting"
    if source == CreditEntry.Source.EXAM:
        return "test"
    return str(source)


def clean_year_range(first: Any, last: Any, *, today: dt.date | None = None) -> tuple[int, int]:
    """The years of a record or certificate, checked: whole years from FIRST_ARCHIVE_YEAR to this
    year, first ≤ last, at most MAX_ARCHIVE_YEARS. A ValidationError names the field."""
    this_year = (today or timezone.localdate()).year
    errors: dict[str, str] = {}
    years: dict[str, int] = {}
    for name, raw in (("first_year", first), ("last_year", last)):
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = _("Enter a year.")
            continue
        if not FIRST_ARCHIVE_YEAR <= value <= this_year:
            errors[name] = _("Enter a year from %(first)s to %(last)s.") % {
                "first": FIRST_ARCHIVE_YEAR,
                "last": this_year,
            }
            continue
        years[name] = value
    if not errors:
        if years["first_year"] > years["last_year"]:
            errors["last_year"] = _("The last year comes before the first.")
        elif years["last_year"] - years["first_year"] + 1 > MAX_ARCHIVE_YEARS:
            errors["last_year"] = _("At most %(n)s years at a time.") % {"n": MAX_ARCHIVE_YEARS}
    if errors:
        raise ValidationError(errors)
    return years["first_year"], years["last_year"]


def member_visible_or_404(*, actor: Actor, member: Member | int) -> Member:
    """The member if the actor may read their record (themself, their branch's readers); else 404."""
    pk = member.pk if isinstance(member, Member) else member
    found: Member | None = (
        Member.objects.visible_to(actor).select_related("org").filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found


# -- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindHours:
    kind: str
    label: Any
    hours: Decimal


@dataclass(frozen=True)
class HoursFigures:
    """A member's confirmed hours over [first_year, last_year]: in all, concentrated, online and
    by kind (kinds with no hours left out, in the ledger's order of kinds)."""

    first_year: int
    last_year: int
    total: Decimal
    concentrated: Decimal
    online: Decimal
    by_kind: list[KindHours]


def _kind_rows(sums: dict[str, Decimal]) -> list[KindHours]:
    return [
        KindHours(kind, label, sums[kind]) for kind, label in Kind.choices if sums.get(kind, ZERO)
    ]


def member_hours_figures(*, member_id: int, first_year: int, last_year: int) -> HoursFigures:
    """The hours a 学时证明 states: confirmed hours of the years, from the rollup (one query).
    The caller has checked the actor may read the member."""
    rows = (
        YearlyRollup.objects.filter(member_id=member_id, year__gte=first_year, year__lte=last_year)
        .values("kind")
        .annotate(h=Sum("hours"), c=Sum("concentrated_hours"), o=Sum("online_hours"))
        .order_by()
    )
    by_kind: dict[str, Decimal] = {}
    total = concentrated = online = ZERO.quantize(CENT)
    for row in rows:
        # Sums come back as the backend makes them (SQLite: 32, 32.0 …); two places, always.
        by_kind[row["kind"]] = Decimal(row["h"] or 0).quantize(CENT)
        total += Decimal(row["h"] or 0).quantize(CENT)
        concentrated += Decimal(row["c"] or 0).quantize(CENT)
        online += Decimal(row["o"] or 0).quantize(CENT)
    return HoursFigures(
        first_year=first_year,
        last_year=last_year,
        total=total,
        concentrated=concentrated,
        online=online,
        by_kind=_kind_rows(by_kind),
    )


# -- the record ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveEntry:
    on: dt.date
    title: str
    kind: str
    kind_label: Any
    hours: Decimal
    source: str
    source_label: Any
    concentrated: bool
    online: bool
    is_reversal: bool


@dataclass(frozen=True)
class ArchiveRule:
    result: RuleResult
    status_label: Any


@dataclass
class ArchiveYear:
    year: int
    as_of: dt.date
    total: Decimal
    concentrated: Decimal
    online: Decimal
    by_kind: list[KindHours]
    rules: list[ArchiveRule]
    exempt: bool
    entries: list[ArchiveEntry] = field(default_factory=list)


@dataclass
class Archive:
    """A member's 培训档案 over [first_year, last_year]: facts (no ID number), each year's hours
    by kind against each rule with its entries, the classes attended and the tests passed."""

    member: Member
    org_name: str
    status_label: Any
    joined_on: dt.date | None
    first_year: int
    last_year: int
    years: list[ArchiveYear]
    figures: HoursFigures
    classes: list[ArchiveLine]
    tests: list[ArchiveLine]
    courses: list[ArchiveLine]

    @property
    def span(self) -> str:
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}—{self.last_year}"


def _archive_entries(
    member_id: int, first_year: int, last_year: int
) -> dict[int, list[ArchiveEntry]]:
    """Confirmed lines of the years (reversals included: they are confirmed and negative), by
    year in date order; pending and rejected lines are left out, as the figures leave them."""
    kinds = dict(Kind.choices)
    out: dict[int, list[ArchiveEntry]] = {}
    qs = CreditEntry.objects.filter(
        member_id=member_id,
        year__gte=first_year,
        year__lte=last_year,
        state=CreditEntry.State.CONFIRMED,
    ).order_by("on", "id")
    for e in qs:
        source = entry_source(e)
        out.setdefault(e.year, []).append(
            ArchiveEntry(
                on=e.on,
                title=e.title,
                kind=e.kind,
                kind_label=kinds.get(e.kind, e.kind),
                hours=e.hours,
                source=source,
                source_label=SOURCE_LABELS.get(source, source),
                concentrated=e.concentrated,
                online=e.online,
                is_reversal=e.reverses_id is not None,
            )
        )
    return out


def _year_kinds(member_id: int, first_year: int, last_year: int) -> dict[int, dict[str, Decimal]]:
    rows = (
        YearlyRollup.objects.filter(member_id=member_id, year__gte=first_year, year__lte=last_year)
        .values("year", "kind")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    out: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        out.setdefault(row["year"], {})[row["kind"]] = Decimal(row["h"] or 0).quantize(CENT)
    return out


def member_archive(
    *, actor: Actor, member: Member | int, first_year: int, last_year: int
) -> Archive:
    """The 培训档案 of a member the actor may read (404 otherwise) over the years given (checked
    by `clean_year_range` first). Each year is judged as the archive page judges it: a past
    year at its end, this year today."""
    found = member_visible_or_404(actor=actor, member=member)
    entries = _archive_entries(found.pk, first_year, last_year)
    kinds = _year_kinds(found.pk, first_year, last_year)
    years: list[ArchiveYear] = []
    for year in range(first_year, last_year + 1):
        as_of = default_as_of(year)
        report = member_compliance(actor=actor, member=found, year=year, as_of=as_of)
        years.append(
            ArchiveYear(
                year=year,
                as_of=as_of,
                total=report.totals.total,
                concentrated=report.totals.concentrated,
                online=report.totals.online,
                by_kind=_kind_rows(kinds.get(year, {})),
                rules=[ArchiveRule(r, STATUS_LABELS[r.status]) for r in report.results],
                exempt=report.exempt,
                # Lines dated after the year's judging date (this year: after today) are not
                # counted yet; they are left out so that the lines add up to the figures.
                entries=[e for e in entries.get(year, []) if e.on <= as_of],
            )
        )
    return Archive(
        member=found,
        org_name=found.org.name,
        status_label=found.get_status_display(),
        joined_on=found.joined_on,
        first_year=first_year,
        last_year=last_year,
        years=years,
        figures=member_hours_figures(
            member_id=found.pk, first_year=first_year, last_year=last_year
        ),
        classes=archive_lines("classes", found.pk, first_year, last_year),
        tests=archive_lines("tests", found.pk, first_year, last_year),
        courses=archive_lines("courses", found.pk, first_year, last_year),
    )


# -- certificates --------------------------------------------------------------------------------


def certificate_issuer(*, actor: Actor, member: Member) -> Organization | None:
    """The org a certificate for `member` is issued in the name of: the highest org the actor
    manages above (or at) the member's branch; the tenant for a platform admin; None when the
    actor manages none (a viewer, a plain member)."""
    scope = scope_of(actor)
    steplen = Organization.steplen
    path = member.org.path
    if scope.platform:
        tenant: Organization | None = Organization.objects.filter(path=path[:steplen]).first()
        return tenant
    managing = sorted((p for p in scope.manage_paths if path.startswith(p)), key=len)
    if not managing:
        return None
    top: Organization | None = Organization.objects.filter(path=managing[0]).first()
    return top


def certificate_list(
    *, actor: Actor, serial: str = "", member: Member | int | None = None
) -> QuerySet[HoursCertificate]:
    """Certificates of the members the actor may read, newest first; `serial` finds one by its
    number (exact, or its start), `member` keeps one member's."""
    qs = HoursCertificate.objects.visible_to(actor).select_related(
        "member__org", "org", "issued_by"
    )
    text = (serial or "").strip()
    if text:
        qs = qs.filter(Q(serial__iexact=text) | Q(serial__istartswith=text))
    if member is not None:
        qs = qs.filter(member_id=member.pk if isinstance(member, Member) else member)
    return qs.order_by("-issued_on", "-id")


def certificate_visible_or_404(*, actor: Actor, pk: Any) -> HoursCertificate:
    try:
        return certificate_list(actor=actor).get(pk=int(pk))
    except (HoursCertificate.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def certificate_kinds(certificate: HoursCertificate) -> list[KindHours]:
    """The certificate's hours by kind as issued, in the ledger's order of kinds."""
    stated = {k: Decimal(v) for k, v in (certificate.by_kind or {}).items()}
    return _kind_rows(stated)
