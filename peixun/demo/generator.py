"""A synthetic county tenant: a working committee, its organs' Party organizations, branches,
groups, members with history and positions — for the demo and for benchmarks.

This is seeding, not a user action: rows go in through `bulk_create` for speed, but every
invariant the services enforce holds (valid and unique ID numbers, one open membership per
member whose org is the member's org, dates never in the future, joined at 18 or later, every
branch with a secretary), and one AuditEvent records what was loaded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.audit import audit_record
from peixun.members.models import Member, Membership
from peixun.members.services import set_id_number
from peixun.orgs.models import Organization, Position

from .names import BRANCH_NAMES, GROUP_NAMES, RETIRED_BRANCH_NAME, UNIT_NAMES
from .people import Person, PersonFactory, Rank, Status, add_years

Kind = Organization.Kind
Role = Position.Role
BATCH = 2000
DEMO_PASSWORD = "peixun-demo"
RANK_ORDER = {Rank.COUNTY_PLUS: 0, Rank.TOWNSHIP: 1, Rank.STAFF: 2, Rank.NONE: 3}


@dataclass(frozen=True)
class TenantSize:
    members: int = 2000
    branches: int = 150
    units: int | None = None  # default: about one unit per ten branches
    groups: int = 6
    transfer_share: float = 0.15

    @property
    def unit_count(self) -> int:
        wanted = self.units if self.units is not None else round(self.branches / 10)
        return max(1, min(wanted, self.branches))


@dataclass
class BranchPlan:
    org: Organization
    unit: Organization
    retired: bool
    size: int = 0
    groups: list[Organization] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


@dataclass
class Tenant:
    root: Organization
    counts: dict[str, int]
    feature_branch: Organization | None = None
    feature_secretary: Member | None = None
    feature_member: Member | None = None


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def branch_names(count: int, with_retired: bool) -> list[str]:
    """Names for the branches of one unit: office first, retired cadres last."""
    working = count - 1 if with_retired else count
    names = list(BRANCH_NAMES[:working])
    n = 7
    while len(names) < working:
        names.append(f"第{_cn_number(n)}党支部")
        n += 1
    return names + ([RETIRED_BRANCH_NAME] if with_retired else [])


def _unit_name(index: int) -> tuple[str, str]:
    name, kind = UNIT_NAMES[index % len(UNIT_NAMES)]
    round_ = index // len(UNIT_NAMES)
    # Beyond the list (benchmark tenants) the organs repeat with a numbered 分局/所 flavour.
    return (name if not round_ else name.replace("党", f"第{round_ + 1}分支机构党", 1)), kind


def _spread(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` into integers proportional to `weights`, each at least `minimum`."""
    base = [minimum] * len(weights)
    rest = max(0, total - minimum * len(weights))
    scale = sum(weights) or 1.0
    shares = [rest * w / scale for w in weights]
    floors = [int(s) for s in shares]
    left = rest - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: shares[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors, strict=True)]


class _TreeBuilder:
    """Materialised paths computed here, so the whole tree is one bulk insert."""

    def __init__(self, root: Organization) -> None:
        self.root = root
        self.nodes: list[Organization] = []

    def child(
        self, parent: Organization, step: int, code: str, name: str, kind: str
    ) -> Organization:
        parent.numchild += 1
        node = Organization(
            code=code,
            name=name,
            kind=kind,
            depth=parent.depth + 1,
            path=Organization._get_path(parent.path, parent.depth + 1, step),
            numchild=0,
        )
        self.nodes.append(node)
        return node


def _build_tree(
    root: Organization, size: TenantSize, rng: random.Random
) -> tuple[list[Organization], list[BranchPlan]]:
    tree = _TreeBuilder(root)
    unit_count = size.unit_count
    per_unit = _spread(size.branches, [1.0] * unit_count, 1)
    width = max(2, len(str(unit_count)))
    units: list[Organization] = []
    plans: list[BranchPlan] = []
    for u, count in enumerate(per_unit):
        name, kind = _unit_name(u)
        unit = tree.child(root, u + 1, f"{root.code}-U{u + 1:0{width}d}", name, kind)
        units.append(unit)
        with_retired = count >= 4 or (count >= 3 and u % 2 == 0)
        for b, branch_name in enumerate(branch_names(count, with_retired)):
            branch = tree.child(unit, b + 1, f"{unit.code}-B{b + 1:02d}", branch_name, Kind.BRANCH)
            retired = with_retired and b == count - 1
            plans.append(BranchPlan(org=branch, unit=unit, retired=retired))
    # Party groups in a few of the bigger working branches, never in the demo's feature branch.
    candidates = [p for p in plans[1:] if not p.retired]
    rng.shuffle(candidates)
    groups_left = size.groups
    for plan in candidates:
        if groups_left <= 0:
            break
        for g in range(min(2, groups_left)):
            plan.groups.append(
                tree.child(plan.org, g + 1, f"{plan.org.code}-G{g + 1}", GROUP_NAMES[g], Kind.GROUP)
            )
            groups_left -= 1
    Organization.objects.bulk_create(tree.nodes, batch_size=BATCH)
    Organization.objects.filter(pk=root.pk).update(numchild=root.numchild)
    return units, plans


def _member_row(person: Person, org: Organization) -> Member:
    member = Member(
        org=org,
        name=person.name,
        gender=person.gender,
        ethnicity=person.ethnicity,
        birth_date=person.birth_date,
        mobile=person.mobile,
        education=person.education,
        status=person.status,
        joined_on=person.joined_on,
        confirmed_on=person.confirmed_on,
        cadre_rank=person.cadre_rank,
        employment=person.employment,
        exempt_reason=person.exempt_reason,
    )
    set_id_number(member, person.id_number)
    return member


def _history(
    member: Member,
    plan: BranchPlan,
    others: list[BranchPlan],
    rng: random.Random,
    today: dt.date,
    share: float,
) -> list[Membership]:
    """The member's memberships: sometimes a past one in another branch, then the current one."""
    start = member.joined_on or today - dt.timedelta(days=rng.randrange(30, 1000))
    transferred = bool(others) and rng.random() < share and (today - start).days > 60
    if not transferred:
        return [Membership(member=member, org=member.org, since=start)]
    if plan.retired:
        # Retired cadres came over from a working branch when they retired (at 60, or later).
        pool = [p for p in others if not p.retired] or others
        moved = min(add_years(member.birth_date, 60), today)
        if moved <= start + dt.timedelta(days=30):
            moved = start + dt.timedelta(days=30 + rng.randrange((today - start).days - 30))
    else:
        pool = others
        moved = start + dt.timedelta(days=30 + rng.randrange((today - start).days - 30))
    previous = rng.choice(pool)
    return [
        Membership(member=member, org=previous.org, since=start, until=moved, note="调入前"),
        Membership(member=member, org=member.org, since=moved, note="组织关系转入"),
    ]


def _positions(
    plans: list[BranchPlan],
    units: list[Organization],
    current_since: dict[int, dt.date],
    rng: random.Random,
    today: dt.date,
) -> list[Position]:
    rows: list[Position] = []

    def since_for(member: Member) -> dt.date:
        earliest = current_since[id(member)]
        candidate = today - dt.timedelta(days=rng.randrange(0, 1800))
        return max(candidate, earliest)

    def leaders(members: list[Member]) -> list[Member]:
        fit = [m for m in members if _can_lead(m)]
        return sorted(fit, key=lambda m: (RANK_ORDER[Rank(m.cadre_rank)], rng.random()))

    unit_members: dict[int, list[Member]] = {}
    for plan in plans:
        if not plan.retired:
            unit_members.setdefault(id(plan.unit), []).extend(plan.members)
        ranked = leaders(plan.members) or sorted(
            plan.members, key=lambda m: m.status != Status.FULL
        )
        if not ranked:
            continue
        secretary = ranked[0]
        kind = Position.Kind.FULL_TIME if rng.random() < 0.1 else Position.Kind.PART_TIME
        rows.append(
            Position(
                member=secretary,
                org=plan.org,
                role=Role.SECRETARY,
                kind=kind,
                since=since_for(secretary),
            )
        )
        others = ranked[1:]
        rng.shuffle(others)
        roles: list[str] = []
        if len(plan.members) >= 30 and rng.random() < 0.5:
            roles.append(Role.DEPUTY_SECRETARY)
        if len(plan.members) >= 7:
            roles += [
                r
                for r in (Role.ORGANIZATION, Role.PROPAGANDA, Role.DISCIPLINE)
                if rng.random() < 0.75
            ]
        for role, holder in zip(roles, others, strict=False):
            rows.append(
                Position(
                    member=holder,
                    org=plan.org,
                    role=role,
                    kind=Position.Kind.PART_TIME,
                    since=since_for(holder),
                )
            )
    for unit in units:
        ranked = leaders(unit_members.get(id(unit), []))
        if ranked:
            rows.append(
                Position(
                    member=ranked[0],
                    org=unit,
                    role=Role.SECRETARY,
                    kind=Position.Kind.PART_TIME,
                    since=since_for(ranked[0]),
                )
            )
        if len(ranked) > 1 and rng.random() < 0.6:
            cadre = ranked[-1]
            rows.append(
                Position(
                    member=cadre,
                    org=unit,
                    role=Role.PARTY_AFFAIRS,
                    kind=Position.Kind.FULL_TIME,
                    since=since_for(cadre),
                )
            )
    return rows


def _can_lead(member: Member) -> bool:
    return (
        member.status == Status.FULL
        and not member.exempt_reason
        and member.employment != Member.Employment.MOBILE
    )


@transaction.atomic
def generate_tenant(
    *,
    code: str,
    name: str,
    size: TenantSize,
    seed: int = 2024,
    today: dt.date | None = None,
    verb: str = "tenant.generate",
    feature_branch_size: int = 20,
) -> Tenant:
    """Create a whole tenant under a new root `code`. The caller checks the code is free."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    root = Organization.objects.add_root(
        {"code": code, "name": name, "kind": Kind.WORKING_COMMITTEE}
    )
    units, plans = _build_tree(root, size, rng)

    # Branch sizes vary around the mean; retired branches run a little larger.
    weights = [rng.uniform(0.5, 1.6) * (1.2 if p.retired else 1.0) for p in plans]
    minimum = min(3, max(1, size.members // max(1, len(plans))))
    feature = plans[0] if size.members >= feature_branch_size * len(plans) // 8 else None
    if feature is not None:
        rest = _spread(size.members - feature_branch_size, weights[1:], minimum)
        sizes = [feature_branch_size, *rest]
    else:
        sizes = _spread(size.members, weights, minimum)

    taken = set(Member.objects.values_list("id_number_hash", flat=True))
    factory = PersonFactory(rng, today, taken)
    members: list[Member] = []
    for plan, count in zip(plans, sizes, strict=True):
        plan.size = count
        for i in range(count):
            force = ""
            if plan is feature:
                force = {2: "probationary", 3: "exempt"}.get(i, "")
            person = factory.person(retired_branch=plan.retired, force=force)
            # In a branch with groups, most members sit in one of its groups.
            org = plan.org
            if plan.groups and i > 0 and rng.random() < 0.7:
                org = rng.choice(plan.groups)
            member = _member_row(person, org)
            plan.members.append(member)
            members.append(member)
    Member.objects.bulk_create(members, batch_size=BATCH)

    memberships: list[Membership] = []
    current_since: dict[int, dt.date] = {}
    transferred = 0
    for plan in plans:
        others = [p for p in plans if p is not plan] if len(plans) < 50 else None
        for member in plan.members:
            pool = others if others is not None else _sample_others(plans, plan, rng)
            rows = _history(member, plan, pool, rng, today, size.transfer_share)
            transferred += len(rows) > 1
            current_since[id(member)] = rows[-1].since
            memberships.extend(rows)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)

    positions = _positions(plans, units, current_since, rng, today)
    Position.objects.bulk_create(positions, batch_size=BATCH)

    counts = {
        "units": len(units),
        "branches": len(plans),
        "groups": sum(len(p.groups) for p in plans),
        "members": len(members),
        "memberships": len(memberships),
        "transferred": transferred,
        "positions": len(positions),
        "exempt": sum(1 for m in members if m.exempt_reason),
        **{f"status_{s}": sum(1 for m in members if m.status == s) for s in Status.values},
    }
    audit_record(actor=None, verb=verb, obj=root, org=root, after=counts)
    tenant = Tenant(root=root, counts=counts)
    if feature is not None:
        tenant.feature_branch = feature.org
        # The demo's plain member holds no position anywhere.
        holders = {p.member.pk for p in positions}
        secretary = next(
            p.member for p in positions if p.org_id == feature.org.pk and p.role == Role.SECRETARY
        )
        tenant.feature_secretary = secretary
        tenant.feature_member = next(
            (m for m in feature.members if m.pk not in holders and _can_lead(m)), None
        )
    return tenant


def _sample_others(
    plans: list[BranchPlan], plan: BranchPlan, rng: random.Random
) -> list[BranchPlan]:
    """A handful of other branches to move from; sampling keeps big tenants linear."""
    picks = [plans[rng.randrange(len(plans))] for _ in range(8)]
    return [p for p in picks if p is not plan]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str
    # The name staff without a member record sign with (记录人 in the 记录本, the audit trail).
    staff_name: str = ""


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", Grant.Role.PLATFORM_ADMIN, "平台管理员 / platform admin"),
    DemoLogin(
        "org_admin",
        Grant.Role.ORG_ADMIN,
        "县直机关工委管理员 / org admin of the working committee",
        staff_name="周建华",
    ),
    DemoLogin("secretary", Grant.Role.SECRETARY, "党支部书记 / branch secretary"),
    DemoLogin("member", "", "党员 / member of that branch"),
    DemoLogin(
        "viewer",
        Grant.Role.VIEWER,
        "只读督查 / read-only viewer of the whole tenant",
        staff_name="孙丽",
    ),
)


def create_demo_users(tenant: Tenant, password: str = DEMO_PASSWORD) -> list[str]:
    """The five demo logins. A username already taken is left alone; returns notes for the log."""
    assert tenant.feature_branch and tenant.feature_secretary and tenant.feature_member
    password_hash = make_password(password)  # Argon2 once, shared by all five
    notes: list[str] = []
    taken = set(
        User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).values_list(
            "username", flat=True
        )
    )
    orgs: dict[str, Any] = {
        Grant.Role.PLATFORM_ADMIN: None,
        Grant.Role.ORG_ADMIN: tenant.root,
        Grant.Role.SECRETARY: tenant.feature_branch,
        Grant.Role.VIEWER: tenant.root,
    }
    secretary_mobile = tenant.feature_secretary.mobile or None
    if secretary_mobile and User.objects.filter(mobile=secretary_mobile).exists():
        secretary_mobile = None
    users: list[User] = []
    for login in DEMO_LOGINS:
        if login.username in taken:
            notes.append(f"user {login.username} already exists; left unchanged")
            continue
        user = User(username=login.username, password=password_hash, first_name=login.staff_name)
        if login.username == "secretary":
            user.member = tenant.feature_secretary
            user.mobile = secretary_mobile
            user.first_name = tenant.feature_secretary.name
        elif login.username == "member":
            user.member = tenant.feature_member
            user.first_name = tenant.feature_member.name
        users.append(user)
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    grants = [
        Grant(user=by_name[login.username], role=login.role, org=orgs[login.role])
        for login in DEMO_LOGINS
        if login.role and login.username in by_name
    ]
    Grant.objects.bulk_create(grants)
    return notes
