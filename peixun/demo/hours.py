"""Study hours for a generated tenant: the demo's two years of ledger, and benchmark volumes.

Seeding, not user action: rows go in with raw `executemany` for speed, yet every invariant of the
ledger holds — each entry's org is the member's org on that date from the membership history
(no entry before a member joined), `year = on.year`, hours in steps of 0.25, positive except
reversals, which are negated confirmed copies pointing at what they reverse. Then the rollup is
rebuilt from the ledger and the national default rules are seeded for the tenant.

The spread is deliberate, so that compliance pages show something real: most branches hold
their monthly concentrated study and their members are well on pace for 32 学时; a few branches
lag or are clearly behind; some cadres are short of their online hours; the demo secretary has
pending self-study filings (with reflections) to decide; a couple of filings were rejected with a
reason; a few entries were corrected by reversal. Everything is drawn from one seeded RNG.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.audit import audit_record
from peixun.hours.models import CreditEntry, Kind, Topic
from peixun.hours.services import (
    BRANCH_LEADERS,
    requirements_seed_defaults,
    reversal_of,
    rollup_rebuild,
)
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position

FLUSH_ROWS = 20_000
QUARTER = Decimal("0.25")
Source = CreditEntry.Source
State = CreditEntry.State

TOPICS = [
    Topic.INNOVATION_THEORY,
    Topic.INNOVATION_THEORY,
    Topic.PARTY_HISTORY,
    Topic.CONSTITUTION_RULES,
    Topic.INTEGRITY,
    Topic.RULE_OF_LAW,
    Topic.PROFESSIONAL,
]
THEME_DAYS = ["主题党日：重温入党誓词", "主题党日：志愿服务进社区", "主题党日：参观红色教育基地"]
STUDY_TITLES = {
    Topic.INNOVATION_THEORY: "集中学习习近平新时代中国特色社会主义思想",
    Topic.PARTY_HISTORY: "党史学习教育专题学习",
    Topic.CONSTITUTION_RULES: "党章党规专题学习",
    Topic.INTEGRITY: "廉洁自律警示教育",
    Topic.RULE_OF_LAW: "法治专题学习",
    Topic.PROFESSIONAL: "业务能力提升集中培训",
}
REFLECTIONS = [
    "通过自学，进一步加深了对党的创新理论的理解，今后要把学习成果转化为推动工作的实际行动。",
    "认真研读了原文，结合本职工作查找差距，明确了下一步努力的方向。",
    "学习中做了读书笔记，体会到理论学习必须持之以恒、学深悟透。",
]
REJECT_REASONS = [
    "未上传学习笔记或心得体会，请补充后重新提交。",
    "学习时长与材料不符，请核实后重新填报。",
]
REVERSAL_REASONS = ["误录：该党员当日请假未参加", "重复录入，予以冲正"]


def quarters(value: float) -> Decimal:
    """Round to the ledger's 0.25 step, never below one step."""
    steps = max(1, round(value * 4))
    return QUARTER * steps


@dataclass
class Stay:
    member_id: int
    org_id: int
    since: dt.date
    until: dt.date | None
    branch_path: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


@dataclass
class Person:
    id: int
    status: str
    cadre_rank: str
    exempt: bool
    leader: bool
    stays: list[Stay] = field(default_factory=list)
    diligence: float = 1.0  # this member's share of the branch's activities
    home: str = ""  # path of the branch the member belongs to now

    def org_on(self, day: dt.date, branch_path: str = "") -> int | None:
        """The member's org on `day` (from the history); with `branch_path`, only within it."""
        for stay in self.stays:
            if stay.covers(day):
                return stay.org_id if not branch_path or stay.branch_path == branch_path else None
        return None


@dataclass
class Branch:
    org: Organization
    health: float  # 1.0 = exactly on pace for 32 concentrated hours with full attendance
    people: list[Person] = field(default_factory=list)


class LedgerWriter:
    """Buffers rows and writes them with one prepared INSERT, `executemany` per batch."""

    COLUMNS = [
        "member_id",
        "org_id",
        "on",
        "year",
        "hours",
        "kind",
        "topic",
        "concentrated",
        "online",
        "title",
        "reflection",
        "source",
        "reference",
        "evidence",
        "state",
        "reverses_id",
        "reason",
        "recorded_by_id",
        "recorded_at",
        "first_approved_by_id",
        "decided_by_id",
        "decided_at",
    ]

    def __init__(self, progress: Callable[[int], None] | None = None) -> None:
        ops = connection.ops
        table = ops.quote_name(CreditEntry._meta.db_table)
        columns = ", ".join(ops.quote_name(c) for c in self.COLUMNS)
        marks = ", ".join(["%s"] * len(self.COLUMNS))
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our names
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.progress = progress
        self.now = ops.adapt_datetimefield_value(timezone.now())
        self._dates: dict[dt.date, Any] = {}

    def _day(self, day: dt.date) -> Any:
        value = self._dates.get(day)
        if value is None:
            value = self._dates[day] = connection.ops.adapt_datefield_value(day)
        return value

    def add(
        self,
        *,
        member_id: int,
        org_id: int,
        on: dt.date,
        hours: Decimal,
        kind: str,
        topic: str,
        title: str,
        concentrated: bool = False,
        online: bool = False,
        source: str = Source.EVENT,
        state: str = State.CONFIRMED,
        reflection: str = "",
        reason: str = "",
        recorded_by: int | None = None,
        decided_by: int | None = None,
    ) -> None:
        assert hours > 0 and not hours % QUARTER
        decided_at = self.now if decided_by else None
        self.rows.append(
            (
                member_id,
                org_id,
                self._day(on),
                on.year,
                hours,
                kind,
                topic,
                concentrated,
                online,
                title,
                reflection,
                source,
                "",
                "",
                state,
                None,
                reason,
                recorded_by,
                self.now,
                None,
                decided_by,
                decided_at,
            )
        )
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def _flush_postgresql(self) -> None:
        # A server round trip per row is slow at benchmark volumes; COPY streams the batch.
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
            for row in self.rows:
                copy.write_row(row)

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._flush_postgresql()
        else:
            with connection.cursor() as cursor:
                # One prepared statement, re-run in C: the fastest path on SQLite.
                cursor.executemany(self.sql, self.rows)
        self.written += len(self.rows)
        self.rows = []
        if self.progress:
            self.progress(self.written)


def _people(root: Organization) -> list[Branch]:
    """The tenant's branches with the members who belonged to each at any time, and their stays."""
    orgs = list(Organization.objects.filter(path__startswith=root.path).order_by("path"))
    branch_paths = sorted(o.path for o in orgs if o.kind == Organization.Kind.BRANCH)
    by_path = {o.path: o for o in orgs}
    branch_of_org: dict[int, str] = {}
    for org in orgs:
        # A group's stays count for the branch above it; the entry keeps the group as its org.
        i = bisect.bisect_right(branch_paths, org.path) - 1
        if i >= 0 and org.path.startswith(branch_paths[i]):
            branch_of_org[org.pk] = branch_paths[i]
    leaders = set(
        Position.objects.filter(org__path__startswith=root.path, role__in=BRANCH_LEADERS)
        .filter(until__isnull=True)
        .values_list("member_id", flat=True)
    )
    people: dict[int, Person] = {}
    for pk, status, rank, exempt in Member.objects.filter(
        org__path__startswith=root.path
    ).values_list("id", "status", "cadre_rank", "exempt_reason"):
        people[pk] = Person(pk, status, rank, bool(exempt), pk in leaders)
    branches: dict[str, Branch] = {p: Branch(by_path[p], 1.0) for p in branch_paths}
    seen: dict[str, set[int]] = defaultdict(set)
    stays = Membership.objects.filter(member_id__in=list(people)).values_list(
        "member_id", "org_id", "since", "until"
    )
    for member_id, org_id, since, until in stays.order_by("member_id", "since"):
        person = people[member_id]
        branch_path = branch_of_org.get(org_id)
        person.stays.append(Stay(member_id, org_id, since, until, branch_path or ""))
        if branch_path and until is None:
            person.home = branch_path
        if branch_path and member_id not in seen[branch_path]:
            seen[branch_path].add(member_id)
            branches[branch_path].people.append(person)
    return list(branches.values())


def _health(rng: random.Random, index: int, count: int) -> float:
    """Most branches comfortably ahead; roughly one in eight lagging, one in ten clearly behind."""
    roll = rng.random()
    if index == 0:
        return 1.3  # the demo's feature branch keeps a healthy record; its stragglers are personal
    if roll < 0.10 or (count >= 3 and index == count - 2):
        return rng.uniform(0.25, 0.45)
    if roll < 0.22:
        return rng.uniform(0.7, 0.9)
    return rng.uniform(1.15, 1.5)


def _month_days(
    year: int, until: dt.date, rng: random.Random, day_range: tuple[int, int]
) -> Iterator[dt.date]:
    for month in range(1, 13):
        day = dt.date(year, month, rng.randint(*day_range))
        if day <= until:
            yield day


def _attend(
    writer: LedgerWriter,
    branch: Branch,
    day: dt.date,
    rng: random.Random,
    share: float,
    recorded_by: int | None,
    **entry: Any,
) -> None:
    for person in branch.people:
        if person.exempt:
            continue
        org_id = person.org_on(day, branch.org.path)
        if org_id is None or rng.random() > share * person.diligence:
            continue
        writer.add(member_id=person.id, org_id=org_id, on=day, recorded_by=recorded_by, **entry)


def _branch_year(
    writer: LedgerWriter,
    branch: Branch,
    year: int,
    until: dt.date,
    rng: random.Random,
    recorded_by: int | None,
) -> None:
    """A branch's year of 三会一课, 主题党日 and monthly concentrated study."""
    health = branch.health
    # Monthly concentrated study plus four Party lectures of 2 学时 reach 32 × health.
    session = quarters(max(0.5, (32 * health - 8) / 12))
    held = min(1.0, 0.35 + health)
    for day in _month_days(year, until, rng, (8, 20)):
        if rng.random() < held:
            topic = rng.choice(TOPICS)
            _attend(
                writer, branch, day, rng, 0.95, recorded_by,
                hours=session, kind=Kind.CONCENTRATED_TRAINING, topic=topic,
                title=STUDY_TITLES.get(topic, "支部集中学习"), concentrated=True,
            )  # fmt: skip
    for day in _month_days(year, until, rng, (21, 28)):
        if rng.random() < held:
            _attend(
                writer, branch, day, rng, 0.9, recorded_by,
                hours=quarters(rng.choice([2, 2.5, 3])), kind=Kind.THEME_DAY,
                topic=Topic.OTHER, title=rng.choice(THEME_DAYS),
            )  # fmt: skip
    for quarter in range(4):
        lecture = dt.date(year, quarter * 3 + 2, rng.randint(3, 7))
        if lecture <= until and rng.random() < held:
            _attend(
                writer, branch, lecture, rng, 0.95, recorded_by,
                hours=Decimal(2), kind=Kind.PARTY_LECTURE, topic=Topic.INNOVATION_THEORY,
                title="书记讲党课", concentrated=True,
            )  # fmt: skip
        assembly = dt.date(year, quarter * 3 + 3, rng.randint(1, 6))
        if assembly <= until:
            _attend(
                writer, branch, assembly, rng, 0.92, recorded_by,
                hours=Decimal("1.5"), kind=Kind.THREE_MEETINGS,
                topic=Topic.CONSTITUTION_RULES, title="支部党员大会",
            )  # fmt: skip


def _personal_year(
    writer: LedgerWriter,
    person: Person,
    year: int,
    until: dt.date,
    rng: random.Random,
    health: float,
) -> None:
    """What a member does beyond the branch: dispatched classes for cadres, online study,
    the 发展对象 class for candidates."""
    start = dt.date(year, 1, 1)
    span = (until - start).days

    def some_day(lo: float = 0.0, hi: float = 1.0) -> dt.date:
        return start + dt.timedelta(days=int(span * rng.uniform(lo, hi)))

    def add(day: dt.date, **entry: Any) -> None:
        org_id = person.org_on(day)
        if org_id is not None:
            writer.add(member_id=person.id, org_id=org_id, on=day, **entry)

    if person.exempt:
        return
    fraction = span / 365
    if person.cadre_rank != Member.CadreRank.NONE:
        # Concentrated classes by dispatch: 90 a year below county level, 110 (550 / 5) above.
        goal: float = 110 if person.cadre_rank == Member.CadreRank.COUNTY_PLUS else 90
        # A unit that neglects its branch's study seldom sends its cadres to classes either.
        sent = min(1.0, health) ** 2
        goal = goal * fraction * person.diligence * sent * rng.uniform(0.95, 1.3)
        days_left = max(1, round(goal / 8))
        while days_left > 0:
            days = min(days_left, rng.choice([2, 3, 5]))
            add(
                some_day(0.02, 0.98),
                hours=Decimal(8 * days), kind=Kind.UPPER_DISPATCH, topic=rng.choice(TOPICS),
                title=f"{days}天干部专题培训班", concentrated=True, source=Source.IMPORT,
            )  # fmt: skip
            days_left -= days
        # Online self-study: most cadres well over 50 a year, about one in four short of it.
        online_goal = (
            50
            * fraction
            * (rng.uniform(0.3, 0.7) if rng.random() < 0.25 else rng.uniform(1.05, 1.4))
        )
        chunks = max(1, round(online_goal / 5))
        for _ in range(chunks):
            add(
                some_day(), hours=quarters(online_goal / chunks), kind=Kind.EXTERNAL_PLATFORM,
                topic=rng.choice(TOPICS), title="干部网络学院在线学习", online=True,
                source=Source.IMPORT,
            )  # fmt: skip
    elif rng.random() < 0.3:
        add(
            some_day(), hours=quarters(rng.uniform(2, 8)), kind=Kind.ONLINE_TRAINING,
            topic=rng.choice(TOPICS), title="学习强国专题学习", online=True, source=Source.IMPORT,
        )  # fmt: skip
    if person.status == Member.Status.CANDIDATE and rng.random() < 0.8:
        add(
            some_day(0.1, 0.9), hours=Decimal(24), kind=Kind.CONCENTRATED_TRAINING,
            topic=Topic.CONSTITUTION_RULES, title="发展对象培训班", concentrated=True,
        )  # fmt: skip


def _diligence(rng: random.Random, health: float) -> float:
    # A few members in every branch fall behind on their own.
    return rng.uniform(0.2, 0.5) if rng.random() < 0.07 else rng.uniform(0.9, 1.05)


def _self_study(
    writer: LedgerWriter,
    branches: list[Branch],
    today: dt.date,
    rng: random.Random,
    users_of: dict[int, int],
    secretary_of: dict[int, int],
) -> dict[str, int]:
    """Self-study filings: confirmed ones through the year, pending ones waiting in the feature
    branch's queue (and a few elsewhere), and a couple rejected with a reason."""
    counts = {"pending": 0, "rejected": 0}
    start = dt.date(today.year, 1, 1)
    for index, branch in enumerate(branches):
        decider = secretary_of.get(branch.org.pk)
        pool = [p for p in branch.people if not p.exempt and p.stays[-1].until is None]
        for person in pool:
            if rng.random() < 0.25:
                day = start + dt.timedelta(days=rng.randrange(max(1, (today - start).days - 20)))
                org_id = person.org_on(day)
                if org_id is not None:
                    writer.add(
                        member_id=person.id, org_id=org_id, on=day, hours=quarters(rng.choice([1, 2, 3])),
                        kind=Kind.SELF_STUDY, topic=rng.choice(TOPICS), title="自学《习近平谈治国理政》",
                        source=Source.SELF_STUDY, reflection=rng.choice(REFLECTIONS),
                        recorded_by=users_of.get(person.id), decided_by=decider,
                    )  # fmt: skip
        waiting = pool[:6] if index == 0 else (pool[:1] if index % 9 == 4 else [])
        for n, person in enumerate(waiting):
            day = max(start, today - dt.timedelta(days=2 + 3 * n))
            org_id = person.org_on(day)
            if org_id is None:
                continue
            rejected = index == 0 and n >= 4
            writer.add(
                member_id=person.id, org_id=org_id, on=day, hours=quarters(rng.choice([1, 1.5, 2])),
                kind=Kind.SELF_STUDY, topic=rng.choice(TOPICS), title="自学《中国共产党纪律处分条例》",
                source=Source.SELF_STUDY, reflection=rng.choice(REFLECTIONS),
                state=State.REJECTED if rejected else State.PENDING,
                reason=REJECT_REASONS[n % 2] if rejected else "",
                recorded_by=users_of.get(person.id), decided_by=decider if rejected else None,
            )  # fmt: skip
            counts["rejected" if rejected else "pending"] += 1
    return counts


def _reverse_some(root: Organization, rng: random.Random, count: int, by: int | None) -> int:
    """Correct a few confirmed branch-activity entries by appending their negations."""
    candidates = list(
        CreditEntry.objects.filter(
            member__org__path__startswith=root.path,
            state=State.CONFIRMED,
            reverses__isnull=True,
            source=Source.EVENT,
        )
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    picked = rng.sample(candidates, min(count, len(candidates)))
    reversals = []
    for entry in CreditEntry.objects.filter(pk__in=picked).order_by("id"):
        reversal = reversal_of(entry, reason=rng.choice(REVERSAL_REASONS))
        reversal.recorded_by_id = by
        reversals.append(reversal)
    CreditEntry.objects.bulk_create(reversals)
    return len(reversals)


def _secretaries(root: Organization) -> dict[int, int]:
    """Branch org id → a user holding the secretary role on it (the demo has one)."""
    return dict(
        Grant.objects.filter(role=Grant.Role.SECRETARY, org__path__startswith=root.path)
        .order_by("org_id", "id")
        .values_list("org_id", "user_id")
    )


@transaction.atomic
def generate_hours(
    root: Organization,
    *,
    today: dt.date | None = None,
    seed: int = 2024,
    entries_per_member: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Fill the tenant's ledger. With `entries_per_member` 0 (the demo): the previous full year
    and this year to date, as branches and cadres really accrue hours. With N > 0 (benchmarks):
    about N entries per member in this year to date, drawn from the same mix of activities."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    branches = _people(root)
    for index, branch in enumerate(branches):
        branch.health = _health(rng, index, len(branches))
        for person in branch.people:
            person.diligence = _diligence(rng, branch.health)
    users_of = dict(
        User.objects.filter(member__org__path__startswith=root.path).values_list("member_id", "id")
    )
    secretary_of = _secretaries(root)
    writer = LedgerWriter(progress)
    counts: dict[str, int] = {}
    if entries_per_member > 0:
        _bulk_year(writer, branches, today, rng, entries_per_member)
    else:
        for year, until in ((today.year - 1, dt.date(today.year - 1, 12, 31)), (today.year, today)):
            for branch in branches:
                _branch_year(writer, branch, year, until, rng, secretary_of.get(branch.org.pk))
                for person in branch.people:
                    if person.home == branch.org.path:
                        _personal_year(writer, person, year, until, rng, branch.health)
        counts.update(_self_study(writer, branches, today, rng, users_of, secretary_of))
    writer.flush()
    if entries_per_member == 0:
        counts["reversals"] = _reverse_some(root, rng, 5, secretary_of.get(branches[0].org.pk))
    counts["entries"] = writer.written + counts.get("reversals", 0)
    counts["rollup_cells"] = rollup_rebuild()
    counts["rules_seeded"] = requirements_seed_defaults(
        actor=None, tenant=root, from_year=today.year - 1
    )
    audit_record(actor=None, verb="hours.generate", obj=root, org=root, after=counts)
    return counts


# Benchmark mix: (kind, share of entries, concentrated, online, hours choices).
BENCH_MIX: list[tuple[str, float, bool, bool, tuple[float, ...]]] = [
    (Kind.CONCENTRATED_TRAINING, 0.35, True, False, (1.5, 2, 2.5, 3)),
    (Kind.THEME_DAY, 0.2, False, False, (2, 2.5, 3)),
    (Kind.PARTY_LECTURE, 0.1, True, False, (2,)),
    (Kind.THREE_MEETINGS, 0.1, False, False, (1.5,)),
    (Kind.EXTERNAL_PLATFORM, 0.2, False, True, (0.5, 1, 1.5, 2)),
    (Kind.SELF_STUDY, 0.05, False, False, (1, 2)),
]


def _bulk_year(
    writer: LedgerWriter, branches: list[Branch], today: dt.date, rng: random.Random, n: int
) -> None:
    """About `n` confirmed entries per member in this year to date, for benchmarks. Concentrated
    hours scale with the branch's health, so the 32-学时 rule shows the demo's branch spread at
    any volume; cadre rules are not modelled here and most cadres read as behind."""
    start = dt.date(today.year, 1, 1)
    span = max(1, (today - start).days + 1)
    days = [start + dt.timedelta(days=i) for i in range(span)]
    kinds = [k for k, *_ in BENCH_MIX]
    weights = [w for _, w, *_ in BENCH_MIX]
    spec = {k: (c, o, tuple(quarters(h) for h in hs)) for k, _, c, o, hs in BENCH_MIX}
    # Concentrated hours per member ≈ n × 0.45 × ~2.1; scale so health 1.0 meets 32 on pace.
    scale = 32 * span / 365 / max(1.0, n * 0.45 * 2.1)
    for branch in branches:
        factor = branch.health * scale
        for person in branch.people:
            if person.exempt or person.home != branch.org.path:
                continue
            picks = rng.choices(kinds, weights, k=n)
            for kind in picks:
                day = days[rng.randrange(span)]
                org_id = person.org_on(day)
                if org_id is None:
                    continue
                concentrated, online, choices = spec[kind]
                hours = rng.choice(choices)
                if concentrated:
                    hours = quarters(float(hours) * factor * person.diligence)
                writer.add(
                    member_id=person.id,
                    org_id=org_id,
                    on=day,
                    hours=hours,
                    kind=kind,
                    topic=rng.choice(TOPICS),
                    title=STUDY_TITLES[Topic.INNOVATION_THEORY] if concentrated else "学习活动",
                    concentrated=concentrated,
                    online=online,
                    source=Source.IMPORT,
                )
