"""Every write of requirement rules: the national defaults of DESIGN.md §3 seeded for every
tenant, and the local rules an org admin adds and retires."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_admin
from peixun.core.scoping import Actor, actor_id
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position

from ..models import Kind, Metric, Requirement, Topic

MEMBERS = ["full", "probationary"]
CADRES_BELOW_COUNTY = ["township", "staff"]
CADRES = ["county_plus", "township", "staff"]
BRANCH_LEADERS = ["secretary", "deputy_secretary", "organization", "propaganda", "discipline"]

PLAN_2019 = "《2019－2023年全国党员教育培训工作规划》"
PLAN_2024 = "《2024－2028年全国党员教育培训工作规划》"
CADRE_REGULATION_2023 = "《干部教育培训工作条例》（2023年）第十四条"
CADRE_PLAN_2023 = "《全国干部教育培训规划（2023－2027年）》"
# The earliest year the national defaults cover (the first plan); a tenant's data before it is
# checked against nothing.
FIRST_DEFAULT_YEAR = 2019


def _branch_leader_rules(source: str, first: int, last: int) -> list[dict[str, Any]]:
    """The branch leaders' two rules as one plan states them, for the plan's years."""
    years = {"source": source, "valid_from_year": first, "valid_to_year": last}
    return [
        {
            "key": f"leaders-total-56-{first}",
            "name": "基层党组织书记和班子成员每年培训不少于56学时",
            "statuses": MEMBERS,
            "positions": BRANCH_LEADERS,
            "metric": Metric.TOTAL_HOURS,
            "threshold": Decimal(56),
            **years,
        },
        {
            "key": f"leaders-one-concentrated-{first}",
            "name": "基层党组织书记和班子成员每年至少参加1次集中培训",
            "statuses": MEMBERS,
            "positions": BRANCH_LEADERS,
            "metric": Metric.CONCENTRATED_COUNT,
            "threshold": Decimal(1),
            **years,
        },
    ]


# Names are stored data (shown as written), in Chinese like the documents they come from. Each
# rule holds for the years of its document (a plan's five years; a regulation from its year on),
# whatever the year the tenant was created in, so past years are checked against the rules of
# their time.
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "key": "member-concentrated-32",
        "name": "党员每年集中学习培训不少于32学时",
        "source": "《中国共产党党员教育管理工作条例》第二十条",
        "statuses": MEMBERS,
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(32),
        "valid_from_year": FIRST_DEFAULT_YEAR,
    },
    *_branch_leader_rules(PLAN_2019, 2019, 2023),
    *_branch_leader_rules(PLAN_2024, 2024, 2028),
    {
        "key": "candidate-concentrated-24",
        "name": "发展对象集中培训不少于24学时",
        "source": "《中国共产党发展党员工作细则》",
        "statuses": ["candidate"],
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(24),
        "before_admission": True,
        "valid_from_year": FIRST_DEFAULT_YEAR,
    },
    {
        "key": "township-cadre-concentrated-90",
        "name": "乡科级及以下干部每年参加集中培训不少于90学时",
        "source": CADRE_REGULATION_2023,
        "cadre_ranks": CADRES_BELOW_COUNTY,
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(90),
        "valid_from_year": 2023,
    },
    {
        "key": "county-cadre-concentrated-550",
        "name": "县处级以上干部每5年参加集中培训不少于550学时",
        "source": CADRE_REGULATION_2023,
        "cadre_ranks": ["county_plus"],
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(550),
        "period_years": 5,
        "cycle_start_year": 2023,
        "valid_from_year": 2023,
    },
    {
        "key": "cadre-online-50",
        "name": "干部每年网络自学不少于50学时",
        "source": CADRE_PLAN_2023,
        "cadre_ranks": CADRES,
        "metric": Metric.ONLINE_HOURS,
        "threshold": Decimal(50),
        "valid_from_year": 2023,
        "valid_to_year": 2027,
    },
]


@transaction.atomic
def requirements_seed_defaults(
    *, actor: Actor | None, tenant: Organization, from_year: int | None = None
) -> int:
    """Add the national defaults to a tenant that lacks them; returns how many were added. Each
    rule carries its document's years; `from_year` (the tenant's first year, from the
    tenant_created hook) never cuts them short, so data entered for earlier years is checked."""
    del from_year  # kept for the tenant_created hook's signature; the documents set the years
    have = set(
        Requirement.objects.filter(org=tenant, is_default=True).values_list("source", "name")
    )
    added = 0
    for rule in DEFAULT_RULES:
        fields = {k: v for k, v in rule.items() if k != "key"}
        if (fields["source"], fields["name"]) in have:
            continue
        Requirement.objects.create(org=tenant, is_default=True, **fields)
        added += 1
    if added:
        audit_record(
            actor=actor,
            verb="requirement.seed_defaults",
            obj=tenant,
            org=tenant,
            after={"added": added},
        )
    return added


# -- requirement rules -----------------------------------------------------------------------

REQUIREMENT_FIELDS = [
    "org",
    "name",
    "source",
    "statuses",
    "positions",
    "cadre_ranks",
    "metric",
    "topic",
    "kind",
    "threshold",
    "period_years",
    "cycle_start_year",
    "online_cap",
    "valid_from_year",
    "valid_to_year",
]


def clean_requirement(data: dict[str, Any]) -> dict[str, Any]:
    """Field errors for a rule, all at once."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["name"] = (data.get("name") or "").strip()[:120]
    if not clean["name"]:
        errors["name"] = _("Name the rule.")
    clean["source"] = (data.get("source") or "").strip()[:200]
    for field, choices in (
        ("statuses", Member.Status),
        ("positions", Position.Role),
        ("cadre_ranks", Member.CadreRank),
    ):
        values = list(data.get(field) or [])
        bad = [v for v in values if v not in choices.values]
        if bad:
            errors[field] = _("Unknown value.")
        clean[field] = sorted(set(values))
    metric = data.get("metric") or ""
    if metric not in Metric.values:
        errors["metric"] = _("Choose what the rule measures.")
    clean["metric"] = metric
    clean["topic"] = data.get("topic") or ""
    clean["kind"] = data.get("kind") or ""
    if metric in (Metric.TOPIC_HOURS, Metric.TOPIC_SHARE) and clean["topic"] not in Topic.values:
        errors["topic"] = _("Choose the topic this rule measures.")
    if metric == Metric.KIND_COUNT and clean["kind"] not in Kind.values:
        errors["kind"] = _("Choose the kind of activity to count.")
    try:
        threshold = Decimal(str(data.get("threshold", "")).strip())
        if not threshold.is_finite() or threshold <= 0:
            raise InvalidOperation
        if metric == Metric.TOPIC_SHARE and threshold > 100:
            errors["threshold"] = _("A share is at most 100 (per cent).")
        clean["threshold"] = threshold
    except (InvalidOperation, ValueError):
        errors["threshold"] = _("Enter a number above zero.")
    try:
        # An explicit 0 is an error, not "one year": only a missing value defaults.
        period = data.get("period_years")
        clean["period_years"] = 1 if period in (None, "") else int(period)
        if not 1 <= clean["period_years"] <= 10:
            raise ValueError
    except (TypeError, ValueError):
        errors["period_years"] = _("A period is 1 to 10 years.")
    clean["cycle_start_year"] = data.get("cycle_start_year") or None
    if clean.get("period_years", 1) > 1 and not clean["cycle_start_year"]:
        errors["cycle_start_year"] = _("A cycle of several years needs its first year.")
    cap = data.get("online_cap")
    clean["online_cap"] = None
    if cap not in (None, ""):
        try:
            clean["online_cap"] = Decimal(str(cap))
            if clean["online_cap"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["online_cap"] = _("Enter a number of hours, or leave it blank.")
    try:
        clean["valid_from_year"] = int(data.get("valid_from_year") or 0)
        if not 2000 <= clean["valid_from_year"] <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["valid_from_year"] = _("Enter the first year the rule holds for.")
    to_year = data.get("valid_to_year")
    clean["valid_to_year"] = int(to_year) if to_year not in (None, "") else None
    if clean["valid_to_year"] is not None and clean["valid_to_year"] < clean.get(
        "valid_from_year", 0
    ):
        errors["valid_to_year"] = _("Cannot be before the first year.")
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def requirement_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> Requirement:
    """A local rule for `org`'s subtree, added by an org admin of that subtree."""
    require_admin(actor, org)
    clean = clean_requirement(data)
    rule = Requirement.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor,
        verb="requirement.create",
        obj=rule,
        org=org,
        after=snapshot(rule, REQUIREMENT_FIELDS),
    )
    return rule


@transaction.atomic
def requirement_retire(*, actor: Actor, rule: Requirement, last_year: int) -> Requirement:
    """End a rule after `last_year`; results of the years it held for stay as they were."""
    require_admin(actor, rule.org)
    if last_year < rule.valid_from_year:
        raise ValidationError({"valid_to_year": _("Cannot be before the first year.")})
    before = snapshot(rule, ["valid_to_year"])
    rule.valid_to_year = last_year
    rule.save(update_fields=["valid_to_year"])
    audit_record(
        actor=actor,
        verb="requirement.retire",
        obj=rule,
        org=rule.org,
        before=before,
        after={"valid_to_year": last_year},
    )
    return rule
