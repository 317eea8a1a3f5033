"""The national defaults of DESIGN.md §3 as requirement rows, seeded for every tenant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from .models import Metric, Requirement

MEMBERS = ["full", "probationary"]
CADRES_BELOW_COUNTY = ["township", "staff"]
CADRES = ["county_plus", "township", "staff"]
BRANCH_LEADERS = ["secretary", "deputy_secretary", "organization", "propaganda", "discipline"]

# Names are stored data (shown as written), in Chinese like the documents they come from.
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "key": "member-concentrated-32",
        "name": "党员每年集中学习培训不少于32学时",
        "source": "《中国共产党党员教育管理工作条例》第二十条",
        "statuses": MEMBERS,
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(32),
    },
    {
        "key": "leaders-total-56",
        "name": "基层党组织书记和班子成员每年培训不少于56学时",
        "source": "全国党员教育培训工作规划",
        "statuses": MEMBERS,
        "positions": BRANCH_LEADERS,
        "metric": Metric.TOTAL_HOURS,
        "threshold": Decimal(56),
    },
    {
        "key": "leaders-one-concentrated",
        "name": "基层党组织书记和班子成员每年至少参加1次集中培训",
        "source": "全国党员教育培训工作规划",
        "statuses": MEMBERS,
        "positions": BRANCH_LEADERS,
        "metric": Metric.CONCENTRATED_COUNT,
        "threshold": Decimal(1),
    },
    {
        "key": "candidate-concentrated-24",
        "name": "发展对象集中培训不少于24学时",
        "source": "《中国共产党发展党员工作细则》",
        "statuses": ["candidate"],
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(24),
    },
    {
        "key": "township-cadre-concentrated-90",
        "name": "乡科级及以下干部每年参加集中培训不少于90学时",
        "source": "《干部教育培训工作条例》第十四条",
        "cadre_ranks": CADRES_BELOW_COUNTY,
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(90),
    },
    {
        "key": "county-cadre-concentrated-550",
        "name": "县处级以上干部每5年参加集中培训不少于550学时",
        "source": "《干部教育培训工作条例》第十四条",
        "cadre_ranks": ["county_plus"],
        "metric": Metric.CONCENTRATED_HOURS,
        "threshold": Decimal(550),
        "period_years": 5,
        "cycle_start_year": 2023,
    },
    {
        "key": "cadre-online-50",
        "name": "干部每年网络自学不少于50学时",
        "source": "《全国干部教育培训规划（2023－2027年）》",
        "cadre_ranks": CADRES,
        "metric": Metric.ONLINE_HOURS,
        "threshold": Decimal(50),
    },
]


@transaction.atomic
def requirements_seed_defaults(
    *, actor: Actor | None, tenant: Organization, from_year: int = 2019
) -> int:
    """Add the national defaults to a tenant that lacks them; returns how many were added."""
    have = set(
        Requirement.objects.filter(org=tenant, is_default=True).values_list("source", "name")
    )
    added = 0
    for rule in DEFAULT_RULES:
        fields = {k: v for k, v in rule.items() if k != "key"}
        if (fields["source"], fields["name"]) in have:
            continue
        Requirement.objects.create(org=tenant, is_default=True, valid_from_year=from_year, **fields)
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
