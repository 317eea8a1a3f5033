"""Whom a class is for, and what a unit should know before nominating someone.

Three questions, answered in bulk so that a candidate list of any length costs a fixed number of
queries:
- does the member fit the class's target audience (org subtree, status, cadre rank, a current
  position — the same test as the study-hour rules, `hours.selectors.compliance.loading.rule_applies`)?
- was the member already trained on the class's topic this year (重复培训): accepted in another
  class of the same topic and year, or credited with a confirmed concentrated training of that
  topic in the year's ledger rollup?
- which members of the unit have had no concentrated training at all this year, so that the unit
  can send them first and the same few (培训专业户) do not take every place?

The audience model (an org subtree, member statuses, cadre ranks, current positions; an empty
list means any) is shared: anything with those four fields (`Audience`), such as an online class
(`learning.OnlineClass`), is resolved by `filter_audience`, `audience_reasons` and `audience_text`.

Policy: a member outside the audience blocks a unit's nomination (the unit's places are for the
audience), but the organiser may name anyone in its own subtree (点名调训 is the organiser's call),
in which case the mismatch is only a warning. Repeat training and exemption never block.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.hours.models import Kind, MemberYearTotal, YearlyRollup
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position

from ..models import Enrolment, TrainingClass


class Audience(Protocol):
    """Whom something is for: members of `audience_org`'s subtree with these statuses, cadre
    ranks and current positions (an empty list means any). A training class is one."""

    @property
    def audience_org(self) -> Organization: ...

    @property
    def audience_statuses(self) -> Any: ...

    @property
    def audience_cadre_ranks(self) -> Any: ...

    @property
    def audience_positions(self) -> Any: ...


AUDIENCE = "audience"
REPEAT = "repeat_training"
EXEMPT = "exempt"


@dataclass(frozen=True)
class MemberWarning:
    member_id: int
    member_name: str
    code: str  # AUDIENCE, REPEAT or EXEMPT
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "member_id": self.member_id,
            "member_name": self.member_name,
            "code": self.code,
            "message": self.message,
        }


def _labels(values: Iterable[str], choices: type) -> str:
    names = dict(choices.choices)  # type: ignore[attr-defined]
    return "、".join(str(names.get(v, v)) for v in values)


def current_roles(member_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each member's current positions (roles), in one query."""
    roles: dict[int, set[str]] = {}
    rows = (
        Position.objects.current(timezone.localdate())
        .filter(member_id__in=list(member_ids))
        .values_list("member_id", "role")
    )
    for member_id, role in rows:
        roles.setdefault(member_id, set()).add(role)
    return roles


def audience_reasons(
    training_class: Audience, member: Member, roles: set[str] | None = None
) -> list[str]:
    """Why `member` is outside the class's audience; empty when they fit. `roles` are the
    member's current positions (read when not given)."""
    reasons: list[str] = []
    audience_org: Organization = training_class.audience_org
    org_path = member.org.path
    if not org_path.startswith(audience_org.path):
        reasons.append(
            _("not in %(org)s or the organizations under it") % {"org": audience_org.name}
        )
    statuses = list(training_class.audience_statuses or [])
    if statuses and member.status not in statuses:
        reasons.append(
            _("status is %(status)s, the class is for %(wanted)s")
            % {"status": member.get_status_display(), "wanted": _labels(statuses, Member.Status)}
        )
    ranks = list(training_class.audience_cadre_ranks or [])
    if ranks and member.cadre_rank not in ranks:
        reasons.append(
            _("cadre rank is %(rank)s, the class is for %(wanted)s")
            % {
                "rank": member.get_cadre_rank_display(),
                "wanted": _labels(ranks, Member.CadreRank),
            }
        )
    positions = list(training_class.audience_positions or [])
    if positions:
        held = roles if roles is not None else current_roles([member.pk]).get(member.pk, set())
        if set(positions).isdisjoint(held):
            reasons.append(
                _("holds none of the positions %(wanted)s")
                % {"wanted": _labels(positions, Position.Role)}
            )
    return reasons


def member_fits_audience(training_class: Audience, member: Member) -> bool:
    return not audience_reasons(training_class, member)


def audience_text(training_class: Audience) -> str:
    """The class's (or any `Audience`'s) audience in one plain sentence."""
    parts = [
        _("Members of %(org)s and the organizations under it")
        % {"org": training_class.audience_org.name}
    ]
    if training_class.audience_statuses:
        parts.append(_labels(training_class.audience_statuses, Member.Status))
    if training_class.audience_cadre_ranks:
        parts.append(_labels(training_class.audience_cadre_ranks, Member.CadreRank))
    if training_class.audience_positions:
        parts.append(_labels(training_class.audience_positions, Position.Role))
    return " · ".join(parts)


def repeat_training(training_class: TrainingClass, member_ids: Iterable[int]) -> dict[int, str]:
    """Members already trained on the class's topic in its year, with what trained them: an
    accepted place in another class of the same topic and year, or confirmed concentrated training
    of that topic in the ledger. Two queries."""
    ids = list(member_ids)
    if not ids:
        return {}
    year = training_class.year
    found: dict[int, str] = {}
    others = (
        Enrolment.objects.accepted()
        .filter(
            member_id__in=ids,
            training_class__topic=training_class.topic,
            training_class__starts_on__year=year,
        )
        .exclude(training_class=training_class)
        .exclude(training_class__state=TrainingClass.State.CANCELLED)
        .order_by("training_class__starts_on", "training_class_id")
        .values_list("member_id", "training_class__title")
    )
    for member_id, title in others:
        found.setdefault(
            member_id, _("already enrolled in “%(title)s” on the same topic") % {"title": title}
        )
    # Net counts: a credit that was reversed no longer counts.
    ledger = (
        YearlyRollup.objects.filter(member_id__in=ids, year=year, topic=training_class.topic)
        # Only training as such (集中培训 entries), not a branch's study flagged concentrated:
        # counting those made nearly every member a "repeat" and buried the useful warnings.
        .filter(kind=Kind.CONCENTRATED_TRAINING, entries__gt=0)
        .values_list("member_id", flat=True)
        .distinct()
    )
    topic = training_class.get_topic_display()
    for member_id in ledger:
        found.setdefault(
            member_id,
            _("already has concentrated training on “%(topic)s” in %(year)s")
            % {"topic": topic, "year": year},
        )
    return found


def nomination_warnings(
    training_class: TrainingClass, members: list[Member], *, audience: bool = True
) -> dict[int, list[MemberWarning]]:
    """Everything worth telling the nominator about each member, keyed by member id. With
    `audience`, a member outside the audience is a warning too (for named dispatch and lists;
    a unit's nomination refuses such a member instead)."""
    out: dict[int, list[MemberWarning]] = {}
    if not members:
        return out
    ids = [m.pk for m in members]
    roles = current_roles(ids) if audience and training_class.audience_positions else {}
    repeats = repeat_training(training_class, ids)
    for member in members:
        found: list[MemberWarning] = []
        if audience:
            reasons = audience_reasons(training_class, member, roles.get(member.pk, set()))
            if reasons:
                found.append(
                    MemberWarning(
                        member.pk,
                        member.name,
                        AUDIENCE,
                        _("Outside the class's audience: %(reasons)s.")
                        % {"reasons": _("; ").join(reasons)},
                    )
                )
        if member.pk in repeats:
            found.append(
                MemberWarning(
                    member.pk,
                    member.name,
                    REPEAT,
                    _("Repeat training: %(what)s.") % {"what": repeats[member.pk]},
                )
            )
        if member.exempt_reason:
            found.append(
                MemberWarning(
                    member.pk,
                    member.name,
                    EXEMPT,
                    _("Exempt from study requirements (%(reason)s).")
                    % {"reason": member.get_exempt_reason_display()},
                )
            )
        if found:
            out[member.pk] = found
    return out


def members_without_concentrated_training(org: Organization, year: int) -> QuerySet[Member]:
    """Members of `org`'s subtree with no concentrated training in `year` (no yearly total, or a
    total with no concentrated entries), exempt members left out: the unit sends them first."""
    trained = MemberYearTotal.objects.filter(
        member=OuterRef("pk"), year=year, concentrated_entries__gt=0
    )
    return (
        Member.objects.filter(org__path__startswith=org.path, exempt_reason="")
        .exclude(Exists(trained))
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


def filter_audience(training_class: Audience, qs: QuerySet[Member]) -> QuerySet[Member]:
    """`qs` narrowed to the class's audience, in the database (for long lists)."""
    qs = qs.filter(org__path__startswith=training_class.audience_org.path)
    if training_class.audience_statuses:
        qs = qs.filter(status__in=list(training_class.audience_statuses))
    if training_class.audience_cadre_ranks:
        qs = qs.filter(cadre_rank__in=list(training_class.audience_cadre_ranks))
    if training_class.audience_positions:
        holding = Position.objects.current(timezone.localdate()).filter(
            member=OuterRef("pk"), role__in=list(training_class.audience_positions)
        )
        qs = qs.filter(Exists(holding))
    return qs


@dataclass
class Candidate:
    """One member on a nomination page: whether they fit, what to warn about, and whether they
    already hold a place in the class."""

    member: Member
    reasons: list[str]  # why outside the audience; empty when they fit
    warnings: list[MemberWarning]
    enrolled_state: str = ""  # "nominated" / "accepted" when they hold a live place
    untrained: bool = False  # no concentrated training yet this year

    @property
    def fits(self) -> bool:
        return not self.reasons


def candidates_for(
    training_class: TrainingClass, members: list[Member], *, untrained_ids: set[int] | None = None
) -> list[Candidate]:
    """The page's members with their audience check, warnings and live place, in a fixed number
    of queries. `untrained_ids`, when known, marks members with no concentrated training."""
    ids = [m.pk for m in members]
    roles = current_roles(ids) if training_class.audience_positions else {}
    warnings = nomination_warnings(training_class, members, audience=False)
    live = dict(
        Enrolment.objects.active()
        .filter(training_class=training_class, member_id__in=ids)
        .values_list("member_id", "state")
    )
    if untrained_ids is None:
        trained = set(
            MemberYearTotal.objects.filter(
                member_id__in=ids, year=training_class.year, concentrated_entries__gt=0
            ).values_list("member_id", flat=True)
        )
        untrained_ids = {m.pk for m in members if m.pk not in trained and not m.exempt_reason}
    return [
        Candidate(
            member=m,
            reasons=audience_reasons(training_class, m, roles.get(m.pk, set())),
            warnings=warnings.get(m.pk, []),
            enrolled_state=live.get(m.pk, ""),
            untrained=m.pk in untrained_ids,
        )
        for m in members
    ]
