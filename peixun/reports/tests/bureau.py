"""A 100-member bureau (机关党委, 11 处室党支部) entered for 2019–2023 through API v1 only.

Issue 14 is done when such a bureau "gives, from the product alone, every figure of seed 002's
report that its data supports". `build_bureau()` enters it the way a real bureau would, with the
bearer token of its own org admin and nothing but `/api/v1/` (a platform admin's token creates
the tenant, as in production), and returns a `Tally`: what it entered, counted here by hand, so
that `test_bureau_2019_2023.py` can hold the product's figures against it.

What it enters, deterministically (a seeded Random):
- the roster: 92 Party members on 1 January 2019, 7 who joined the Party in the period (entered
  as 积极分子, then 发展对象, then 预备党员, then 正式党员, by PATCH), 6 transferred in, 5 who left
  (转出, 去世), 4 moved between branches, and 3 积极分子 and 2 发展对象 who never count;
  positions (the committee's 7 members, each branch's secretary);
- each year: 中心组学习 (7 + 8 × 4 = 39), a 主题党日 a month held by the committee for all its
  branches, a 党课 a quarter in every branch (half on the Party's innovative theory), 专家讲座, 先进事迹报告会, 读书班 and 现场教学, each
  with attendance and closed (which credits the hours);
- 4 党性教育培训班 (169 person-times), 8 党务干部 and 2 纪检委员 trainings, with sessions, named
  trainees, attendance and closing;
- online hours (网络专题培训) and a 发展对象 concentrated training, recorded as ledger entries;
- the tenant's local rule: 50 学时 a year for every Party member (seed 002).

`GAPS` lists what the API could not take as a real bureau would give it (see the report).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peixun.core.idcard import make_id_number
from peixun.demo.names import FEMALE_CHARS, MALE_CHARS, SURNAME_WEIGHTS

FIRST_YEAR, LAST_YEAR = 2019, 2023
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
START, END = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "Bureau-2019-2023!"
API = "/api/v1"

BRANCHES = (
    "办公室党支部",
    "综合处党支部",
    "政策法规处党支部",
    "规划发展处党支部",
    "财务监督处党支部",
    "产权管理处党支部",
    "企业改革处党支部",
    "考核分配处党支部",
    "党建工作处党支部",
    "纪检监察处党支部",
    "离退休干部党支部",
)
CENTRAL_GROUP_PER_YEAR = {2019: 7, 2020: 8, 2021: 8, 2022: 8, 2023: 8}  # 39 in all
# Meeting credits, set by the tenant (PUT /orglife/rules) so that the hand count knows them.
MEETING_HOURS = {
    "central_group": Decimal(3),
    "lecture": Decimal(2),
    "theme_day": Decimal(2),
    "expert_lecture": Decimal(3),
    "report_meeting": Decimal(2),
    "reading_class": Decimal(8),
    "onsite_teaching": Decimal(8),
}
# The bureau counts its 主题党日 and 党课 as 集中学习 (the tenant's rule; many bureaus do), so
# that the 32-学时 rule of the 条例 sees them.
CONCENTRATED_KINDS = {"central_group", "theme_day", "lecture", "reading_class", "onsite_teaching"}
# 党性教育培训班: (year, month, places, 西柏坡 …) — 45 + 42 + 40 + 42 = 169 person-times.
PARTY_SPIRIT_CLASSES = (
    (2019, 9, 45, "西柏坡"),
    (2021, 5, 42, "井冈山"),
    (2022, 8, 40, "大庆"),
    (2023, 6, 42, "百色"),
)
PARTY_AFFAIRS_TRAININGS = (
    (2019, 4),
    (2019, 11),
    (2020, 9),
    (2021, 3),
    (2021, 10),
    (2022, 4),
    (2023, 3),
    (2023, 10),
)
DISCIPLINE_TRAININGS = ((2020, 11), (2022, 11))
ONLINE_COURSES = {
    2019: ("“不忘初心、牢记使命”主题教育网络专题培训", "学习贯彻十九届四中全会精神网络培训"),
    2020: ("十九届五中全会精神网络专题培训", "“十四五”规划解读网络培训"),
    2021: ("党史学习教育网络专题培训", "学习“七一”重要讲话精神网络培训"),
    2022: ("中共党史网络专题培训", "党的二十大精神网络专题培训"),
    2023: ("学习贯彻习近平新时代中国特色社会主义思想主题教育网络培训", "舆情应对能力网络培训"),
}


# -- what was entered, counted by hand --------------------------------------------------------


@dataclass
class Person:
    key: str
    name: str
    status: str  # the status at the end (full, probationary, candidate, activist)
    branch: int  # index into BRANCHES at the start
    joined_on: dt.date | None  # 入党
    since: dt.date  # in the bureau from
    until: dt.date | None = None  # left the bureau on (exclusive, as Membership.until)
    moves: list[tuple[dt.date, int]] = field(default_factory=list)  # (effective, branch index)
    pk: int = 0

    def party_from(self) -> dt.date | None:
        """The first day counted as a Party member of the bureau (None: never)."""
        if self.status not in ("full", "probationary") or self.joined_on is None:
            return None
        return max(self.since, self.joined_on)

    def party_days(self, first: dt.date, last: dt.date) -> int:
        start = self.party_from()
        if start is None:
            return 0
        stop = min(last, self.until - dt.timedelta(days=1) if self.until else last)
        begin = max(first, start)
        return (stop - begin).days + 1 if stop >= begin else 0

    def is_member_on(self, day: dt.date) -> bool:
        return self.party_days(day, day) == 1

    def branch_on(self, day: dt.date) -> int:
        branch = self.branch
        for effective, target in self.moves:
            if effective <= day:
                branch = target
        return branch


@dataclass
class Credit:
    person: str
    on: dt.date
    hours: Decimal
    kind: str
    online: bool = False
    concentrated: bool = False


@dataclass
class Tally:
    """What the builder entered, counted by hand (never read back from the product)."""

    root: int = 0
    branches: list[int] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    credits: list[Credit] = field(default_factory=list)
    # kind → year → (sessions, person-times) of meetings; topic "innovation_theory" sessions
    meetings: dict[str, dict[int, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
    )
    theory_sessions_in_branches: int = 0
    # class kind → [(year, class id, person-times)]
    classes: dict[str, list[tuple[int, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # fund → year → amount of the expenses recorded
    spending: dict[str, dict[int, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    requests: int = 0
    gaps: list[str] = field(default_factory=list)
    token: str = ""

    # The period's figures, by the definitions of issue 14 (docs/figures.md on branch history).

    def members_of(self, first: dt.date, last: dt.date) -> list[Person]:
        """People who were Party members of the bureau at some time in [first, last]."""
        return [p for p in self.people.values() if p.party_days(first, last) > 0]

    def members_at(self, day: dt.date) -> int:
        return sum(1 for p in self.people.values() if p.is_member_on(day))

    def member_years(self, year: int) -> Decimal:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        days = (last - first).days + 1
        return sum(
            (Decimal(p.party_days(first, last)) / days for p in self.people.values()), Decimal(0)
        )

    def counted(self, first: dt.date, last: dt.date) -> list[Credit]:
        """Credits of members of the period dated in it while they were Party members of the
        bureau (hours a person earned as a 发展对象 do not count)."""
        return [
            c
            for c in self.credits
            if first <= c.on <= last and self.people[c.person].is_member_on(c.on)
        ]

    def hours(self, year: int, *, kind: str = "", online: bool | None = None) -> Decimal:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return sum(
            (
                c.hours
                for c in self.counted(first, last)
                if (not kind or c.kind == kind) and (online is None or c.online == online)
            ),
            Decimal(0),
        )

    def trained(self, year: int, *, concentrated: bool = False) -> int:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return len(
            {c.person for c in self.counted(first, last) if c.concentrated or not concentrated}
        )

    def average_hours(self, year: int) -> Decimal:
        """Hours per member-year (pro-rated by days of Party membership)."""
        return self.hours(year) / self.member_years(year)

    def five_year_average(self) -> Decimal:
        """The range's hours over its member-years: the seed's 党员年均培训时间."""
        hours = sum((self.hours(y) for y in YEARS), Decimal(0))
        return hours / sum((self.member_years(y) for y in YEARS), Decimal(0))

    def class_person_times(self, kind: str = "") -> int:
        kinds = [kind] if kind else list(self.classes)
        return sum(n for k in kinds for _, _, n in self.classes[k])

    def spent(self, fund: str = "", year: int | None = None) -> Decimal:
        funds = [fund] if fund else list(self.spending)
        return sum(
            (a for f in funds for y, a in self.spending[f].items() if year in (None, y)),
            Decimal(0),
        )


# -- the API client ---------------------------------------------------------------------------


class ApiError(AssertionError):
    pass


class Api:
    """Bearer-token calls to /api/v1/, each checked for the status it should answer."""

    def __init__(self, tally: Tally, token: str = "") -> None:
        self.client = Client()
        self.tally = tally
        self.token = token

    def call(
        self, method: str, path: str, body: Any = None, expect: int = 200, **extra: Any
    ) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        kwargs: dict[str, Any] = {**headers, **extra}
        if body is not None and "data" not in extra:
            kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
        response = getattr(self.client, method)(f"{API}{path}", **kwargs)
        self.tally.requests += 1
        if response.status_code != expect:
            raise ApiError(
                f"{method.upper()} {path} answered {response.status_code}, expected {expect}: "
                f"{response.content.decode()[:800]}\nbody: {json.dumps(body, default=str)[:400]}"
            )
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("get", path, data=params)

    def post(self, path: str, body: Any = None, expect: int = 201) -> Any:
        return self.call("post", path, body if body is not None else {}, expect)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("patch", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("put", path, body)


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).isoformat()


# -- the builder ------------------------------------------------------------------------------


class BureauBuilder:
    def __init__(self, platform_token: str, seed: int = 2019) -> None:
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.platform = Api(self.tally, platform_token)
        self.api = Api(self.tally)
        self._sequence = 0
        self.events: dict[tuple[str, int], int] = {}  # the first meeting's event of a kind, year
        self._used_names: set[str] = set()

    # The tenant and its org admin --------------------------------------------------------

    def tenant(self) -> None:
        created = self.platform.post(
            "/tenants/",
            {
                "code": "GZW",
                "name": "市国资委机关党委",
                "kind": "committee",
                "admin_username": "gzw_admin",
                "admin_mobile": "13912340000",
            },
        )
        self.tally.root = created["org_id"]
        self.api.post(
            "/accounts/activate",
            {"code": created["activation_code"], "password": PASSWORD, "login": "gzw_admin"},
            expect=200,
        )
        token = self.api.post(
            "/auth/token",
            {"username": "gzw_admin", "password": PASSWORD, "name": "bureau 2019-2023"},
            expect=200,
        )
        self.api.token = token["token"]
        for number, name in enumerate(BRANCHES, start=1):
            org = self.api.post(
                "/orgs/",
                {
                    "parent": self.tally.root,
                    "code": f"GZW{number:02d}",
                    "name": name,
                    "kind": "branch",
                },
            )
            self.tally.branches.append(org["id"])
        # The seed's local target: 50 学时 a year for every Party member.
        self.api.post(
            "/hours/requirements",
            {
                "org": self.tally.root,
                "name": "党员每年培训不少于50学时",
                "source": "局党委年度培训计划",
                "statuses": ["full", "probationary"],
                "metric": "total_hours",
                "threshold": "50",
                "valid_from_year": FIRST_YEAR,
            },
        )
        self.api.put(
            "/orglife/rules",
            {
                "rules": [
                    {"kind": kind, "hours": str(hours), "concentrated": kind in CONCENTRATED_KINDS}
                    for kind, hours in MEETING_HOURS.items()
                ]
            },
        )

    # The roster ----------------------------------------------------------------------------

    def _name(self, female: bool) -> str:
        surnames = [s for s, _ in SURNAME_WEIGHTS[:60]]
        chars = FEMALE_CHARS if female else MALE_CHARS
        while True:
            name = self.rng.choice(surnames) + "".join(
                self.rng.choice(chars) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self._used_names:
                self._used_names.add(name)
                return name

    def _create(
        self,
        key: str,
        *,
        branch: int,
        status: str,
        joined_on: dt.date | None,
        since: dt.date,
        cadre_rank: str = "staff",
        birth: dt.date | None = None,
    ) -> Person:
        self._sequence += 1
        female = self.rng.random() < 0.45
        birth = birth or dt.date(self.rng.randint(1975, 1998), self.rng.randint(1, 12), 15)
        name = self._name(female)
        body: dict[str, Any] = {
            "org": self.tally.branches[branch],
            "name": name,
            "id_number": make_id_number("110102", birth, self._sequence * 2 + (0 if female else 1)),
            "status": status,
            "mobile": f"139{self._sequence:08d}",
            "cadre_rank": cadre_rank,
            "since": since.isoformat(),
        }
        if joined_on is not None:
            body["joined_on"] = joined_on.isoformat()
            if status == "full":
                body["confirmed_on"] = (joined_on + dt.timedelta(days=366)).isoformat()
        created = self.api.post("/members/", body)
        person = Person(key, name, status, branch, joined_on, since, pk=created["id"])
        self.tally.people[key] = person
        return person

    def roster(self) -> None:
        rng = self.rng
        ranks = ["county_plus"] * 8 + ["township"] * 30 + ["staff"] * 54
        rng.shuffle(ranks)
        # 92 Party members on 1 January 2019, 8 or 9 a branch.
        for n in range(92):
            birth = dt.date(rng.randint(1962, 1994), rng.randint(1, 12), rng.randint(1, 28))
            joined = dt.date(min(2017, birth.year + rng.randint(20, 30)), rng.randint(1, 12), 1)
            since = max(joined, dt.date(rng.randint(2008, 2018), rng.randint(1, 12), 1))
            self._create(
                f"m{n:02d}",
                branch=n % 11,
                status="full",
                joined_on=joined,
                since=since,
                cadre_rank=ranks[n],
                birth=birth,
            )
        # 7 who joined the Party in the period: 积极分子 → 发展对象 → 预备党员 → 正式党员.
        for n, joined in enumerate(
            (
                dt.date(2019, 6, 28),
                dt.date(2020, 7, 1),
                dt.date(2020, 12, 20),
                dt.date(2021, 6, 30),
                dt.date(2022, 6, 29),
                dt.date(2023, 6, 30),
                dt.date(2023, 11, 15),
            )
        ):
            person = self._create(
                f"j{n}",
                branch=(n * 3) % 11,
                status="activist",
                joined_on=None,
                since=dt.date(2017, 9, 1),
            )
            self.api.patch(f"/members/{person.pk}", {"status": "candidate"})
            self.api.patch(
                f"/members/{person.pk}",
                {"status": "probationary", "joined_on": joined.isoformat()},
            )
            person.status, person.joined_on = "probationary", joined
            confirmed = joined + dt.timedelta(days=366)
            if confirmed <= END:
                self.api.patch(
                    f"/members/{person.pk}",
                    {"status": "full", "confirmed_on": confirmed.isoformat()},
                )
                person.status = "full"
        # 6 transferred in from outside the bureau.
        for n, since in enumerate(
            (
                dt.date(2019, 8, 1),
                dt.date(2020, 3, 16),
                dt.date(2021, 1, 4),
                dt.date(2021, 9, 1),
                dt.date(2022, 5, 9),
                dt.date(2023, 4, 3),
            )
        ):
            birth = dt.date(rng.randint(1970, 1990), rng.randint(1, 12), rng.randint(1, 28))
            joined = dt.date(birth.year + rng.randint(22, 28), rng.randint(1, 12), 1)
            self._create(
                f"t{n}",
                branch=(n * 5 + 2) % 11,
                status="full",
                joined_on=joined,
                since=since,
                birth=birth,
            )
        # 3 积极分子 and 2 发展对象 who are never counted as Party members.
        for n, (status, since) in enumerate(
            (
                ("activist", dt.date(2021, 4, 1)),
                ("activist", dt.date(2022, 10, 1)),
                ("activist", dt.date(2023, 3, 1)),
                ("candidate", dt.date(2020, 3, 1)),
                ("candidate", dt.date(2022, 3, 1)),
            )
        ):
            self._create(
                f"c{n}", branch=(n * 4 + 1) % 11, status=status, joined_on=None, since=since
            )
        # 5 who left: 4 transferred out, 1 died.
        for key, reason, effective in (
            ("m05", "transfer_out", dt.date(2019, 10, 8)),
            ("m17", "transfer_out", dt.date(2020, 6, 1)),
            ("m29", "death", dt.date(2021, 2, 14)),
            ("m41", "transfer_out", dt.date(2022, 7, 11)),
            ("m53", "transfer_out", dt.date(2023, 9, 1)),
        ):
            person = self.tally.people[key]
            self.api.post(
                f"/members/{person.pk}/depart",
                {"reason": reason, "effective": effective.isoformat(), "note": "组织关系转出"},
                expect=200,
            )
            person.until = effective
        # 4 moved between branches.
        for key, target, effective in (
            ("m02", 6, dt.date(2019, 5, 6)),
            ("m14", 9, dt.date(2020, 11, 2)),
            ("m30", 0, dt.date(2021, 12, 1)),
            ("m66", 3, dt.date(2022, 3, 14)),
        ):
            person = self.tally.people[key]
            self.api.post(
                f"/members/{person.pk}/transfer",
                {
                    "to_org": self.tally.branches[target],
                    "effective": effective.isoformat(),
                    "note": "处室调整",
                },
            )
            person.moves.append((effective, target))

    def positions(self) -> None:
        """The committee (its 中心组) and each branch's secretary, since before 2019."""
        since = dt.date(2018, 1, 1).isoformat()
        roles = (
            "secretary",
            "deputy_secretary",
            "deputy_secretary",
            "organization",
            "propaganda",
            "discipline",
            "party_affairs",
        )
        self.committee = [f"m{n:02d}" for n in (0, 11, 22, 33, 44, 55, 66)]
        for key, role in zip(self.committee, roles, strict=True):
            self.api.post(
                f"/members/{self.tally.people[key].pk}/positions",
                {"org": self.tally.root, "role": role, "kind": "part_time", "since": since},
            )
        self.secretaries = {}
        for branch in range(11):
            key = f"m{branch + 77:02d}"
            person = self.tally.people[key]
            self.api.post(
                f"/members/{person.pk}/positions",
                {
                    "org": self.tally.branches[person.branch],
                    "role": "secretary",
                    "kind": "part_time",
                    "since": since,
                },
            )
            self.secretaries[person.branch] = key

    # Meetings ------------------------------------------------------------------------------

    def members_of_branch(self, branch: int | None, day: dt.date) -> list[Person]:
        """Party members of a branch (or the whole bureau) on a day, as the meeting expects."""
        return [
            p
            for p in self.tally.people.values()
            if p.is_member_on(day) and (branch is None or p.branch_on(day) == branch)
        ]

    def meeting(
        self,
        *,
        org_index: int | None,
        kind: str,
        day: dt.date,
        title: str,
        present: list[Person],
        topic: str = "other",
        absent: list[Person] | None = None,
    ) -> None:
        org = self.tally.root if org_index is None else self.tally.branches[org_index]
        created = self.api.post(
            "/orglife/meetings",
            {
                "org": org,
                "kind": kind,
                "title": title,
                "starts_at": at(day, 14, 30),
                "ends_at": at(day, 17, 30),
                "host": "局党委" if org_index is None else "支部书记",
                "place": "局机关会议室",
                "topic": topic,
            },
        )
        event = created["event_id"]
        self.events.setdefault((kind, day.year), event)
        if present:
            self.api.post(
                f"/events/{event}/attendance/selected",
                {"members": [p.pk for p in present], "status": "present"},
                expect=200,
            )
        if absent and kind == "central_group":
            # 列席 members away on leave are recorded (the rest stay unmarked: not credited).
            self.api.post(
                f"/events/{event}/attendance/selected",
                {"members": [p.pk for p in absent], "status": "leave"},
                expect=200,
            )
        self.api.post(f"/orglife/meetings/{created['id']}/close", expect=200)
        hours = MEETING_HOURS[kind]
        for person in present:
            self.tally.credits.append(
                Credit(
                    person.key,
                    day,
                    hours,
                    KIND_LEDGER[kind],
                    concentrated=kind in CONCENTRATED_KINDS,
                )
            )
        count = self.tally.meetings[kind][day.year]
        count[0] += 1
        count[1] += len(present)
        if org_index is not None and topic == "innovation_theory":
            self.tally.theory_sessions_in_branches += 1

    def _attending(self, people: list[Person], share: float) -> tuple[list[Person], list[Person]]:
        present: list[Person] = []
        away: list[Person] = []
        for person in people:
            (present if self.rng.random() < share else away).append(person)
        return present, away

    def meetings(self, years: tuple[int, ...] = YEARS) -> None:
        for year in years:
            # 中心组学习 of the committee.
            months = self.rng.sample(range(1, 13), CENTRAL_GROUP_PER_YEAR[year])
            for n, month in enumerate(sorted(months), start=1):
                day = dt.date(year, month, 12)
                holders = [self.tally.people[k] for k in self.committee]
                present, away = self._attending(holders, 0.9)
                self.meeting(
                    org_index=None,
                    kind="central_group",
                    day=day,
                    title=f"{year}年党委理论学习中心组第{n}次集体学习",
                    present=present,
                    absent=away,
                    topic="innovation_theory",
                )
            # 主题党日, held by the committee for all its branches each month.
            for month in range(1, 13):
                day = dt.date(year, month, 25)
                present, away = self._attending(self.members_of_branch(None, day), 0.93)
                self.meeting(
                    org_index=None,
                    kind="theme_day",
                    day=day,
                    title=f"{year}年{month}月主题党日",
                    present=present,
                    absent=away,
                    topic="party_history" if month in (6, 7) else "innovation_theory",
                )
            # A 党课 a quarter in every branch, half of them on the Party's innovative theory.
            for branch in range(11):
                for quarter in range(1, 5):
                    day = dt.date(year, quarter * 3, 8 + branch % 10)
                    people = self.members_of_branch(branch, day)
                    present, away = self._attending(people, 0.95)
                    theory = (quarter + branch) % 2 == 0
                    self.meeting(
                        org_index=branch,
                        kind="lecture",
                        day=day,
                        title=f"{year}年第{quarter}季度专题党课",
                        present=present,
                        absent=away,
                        topic="innovation_theory" if theory else "integrity",
                    )

    def activities(self) -> None:
        """The activity kinds the report counts, at the committee."""

        def everyone(day: dt.date, share: float) -> tuple[list[Person], list[Person]]:
            return self._attending(self.members_of_branch(None, day), share)

        # 邀请纪检专家进行专题讲座2次
        for day in (dt.date(2020, 10, 15), dt.date(2022, 9, 22)):
            present, away = everyone(day, 0.9)
            self.meeting(
                org_index=None,
                kind="expert_lecture",
                day=day,
                title="纪检专家专题讲座",
                present=present,
                absent=away,
                topic="integrity",
            )
        # 举办3期先进事迹报告会
        for day in (dt.date(2019, 6, 25), dt.date(2021, 6, 28), dt.date(2023, 6, 27)):
            present, away = everyone(day, 0.88)
            self.meeting(
                org_index=None,
                kind="report_meeting",
                day=day,
                title="“最美奉献者”先进事迹报告会",
                present=present,
                absent=away,
            )
        # 读书班: one in each of two years.
        for day in (dt.date(2020, 8, 18), dt.date(2023, 8, 15)):
            present, away = everyone(day, 0.85)
            self.meeting(
                org_index=None,
                kind="reading_class",
                day=day,
                title="习近平新时代中国特色社会主义思想读书班",
                present=present,
                absent=away,
                topic="innovation_theory",
            )
        # 组织优秀共产党员16人参加6期现场教学培训
        chosen: list[Person] = []
        for n, (day, size) in enumerate(
            zip(
                (
                    dt.date(2019, 7, 10),
                    dt.date(2020, 10, 20),
                    dt.date(2021, 4, 15),
                    dt.date(2021, 10, 14),
                    dt.date(2022, 6, 16),
                    dt.date(2023, 5, 18),
                ),
                (3, 3, 3, 3, 2, 2),
                strict=True,
            ),
            start=1,
        ):
            pool = [p for p in self.members_of_branch(None, day) if p not in chosen]
            present = self.rng.sample(pool, size)
            chosen += present
            self.meeting(
                org_index=None,
                kind="onsite_teaching",
                day=day,
                title=f"市委组织部现场教学培训（第{n}期）",
                present=present,
                topic="party_history",
            )

    # Training classes ----------------------------------------------------------------------

    def training_class(
        self,
        *,
        kind: str,
        title: str,
        first: dt.date,
        days: int,
        trainees: list[Person],
        topic: str = "innovation_theory",
        venue: str = "",
    ) -> int:
        created = self.api.post(
            "/training/classes",
            {
                "org": self.tally.root,
                "title": title,
                "kind": kind,
                "topic": topic,
                "starts_on": first.isoformat(),
                "ends_on": (first + dt.timedelta(days=days - 1)).isoformat(),
                "capacity": len(trainees) + 5,
                "full_time": True,
                "venue": venue or "局机关培训室",
            },
        )
        class_id = int(created["id"])
        sessions = []
        for n in range(days):
            day = first + dt.timedelta(days=n)
            for half, (start, end, theme, kind_of) in enumerate(
                ((9, 12, "专题讲座", "lecture"), (14, 17, "现场教学", "case"))
            ):
                session = self.api.post(
                    f"/training/classes/{class_id}/sessions",
                    {
                        "title": f"第{n + 1}天{theme}",
                        "starts_at": at(day, start),
                        "ends_at": at(day, end),
                        "hours": "4",
                        "type": kind_of,
                        "topic": topic if half == 0 else "party_history",
                    },
                )
                sessions.append(session["event_id"])
        self.api.post(f"/training/classes/{class_id}/publish", {"override_reason": ""}, expect=200)
        self.api.post(
            f"/training/classes/{class_id}/named", {"member_ids": [p.pk for p in trainees]}
        )
        for event in sessions:
            self.api.post(
                f"/events/{event}/attendance/selected",
                {"members": [p.pk for p in trainees], "status": "present"},
                expect=200,
            )
        self.api.post(f"/training/classes/{class_id}/confirm-roster", expect=200)
        self.api.post(f"/training/classes/{class_id}/confirm-timetable", expect=200)
        self.api.call(
            "post",
            f"/training/classes/{class_id}/plan",
            expect=200,
            data={"plan": _pdf(f"{title}.pdf")},
        )
        self.api.post(
            f"/training/classes/{class_id}/close", {"late_note": "补录往年培训班"}, expect=200
        )
        hours = Decimal(8 * days)
        for person in trainees:
            for n in range(days):
                self.tally.credits.append(
                    Credit(
                        person.key,
                        first + dt.timedelta(days=n),
                        Decimal(8),
                        "concentrated_training",
                        concentrated=True,
                    )
                )
        assert hours
        self.tally.classes[kind].append((first.year, class_id, len(trainees)))
        return class_id

    def classes(self) -> None:
        for year, month, places, site in PARTY_SPIRIT_CLASSES:
            first = dt.date(year, month, 10)
            trainees = self.rng.sample(self.members_of_branch(None, first), places)
            self.training_class(
                kind="party_spirit",
                title=f"{year}年党性教育培训班（{site}）",
                first=first,
                days=3,
                trainees=trainees,
                venue=site,
            )
        for year, month in PARTY_AFFAIRS_TRAININGS:
            first = dt.date(year, month, 16)
            cadres = [
                self.tally.people[k]
                for k in self.secretaries.values()
                if self.tally.people[k].is_member_on(first)
            ]
            self.training_class(
                kind="secretary",
                title=f"{year}年党务干部专题培训",
                first=first,
                days=1,
                trainees=cadres,
                topic="constitution_rules",
            )
        for year, month in DISCIPLINE_TRAININGS:
            first = dt.date(year, month, 5)
            pool = self.members_of_branch(None, first)
            self.training_class(
                kind="special",
                title=f"{year}年纪检委员专题培训",
                first=first,
                days=1,
                trainees=self.rng.sample(pool, 12),
                topic="integrity",
            )

    # Ledger entries ------------------------------------------------------------------------

    def online_hours(self) -> None:
        """网络专题培训: two courses a year, each credited to those who completed it (by hours
        bands, so that members differ, 50 to 60 a year: 确保所有参训党员每年至少完成50个学时的学习),
        dated when the course closed."""
        for year in YEARS:
            for n, title in enumerate(ONLINE_COURSES[year]):
                day = dt.date(year, 6 if n == 0 else 11, 30)
                people = self.members_of_branch(None, day)
                bands: dict[Decimal, list[Person]] = defaultdict(list)
                for person in people:
                    bands[Decimal(self.rng.choice((25, 26, 28, 30)))].append(person)
                for hours, members in sorted(bands.items()):
                    self.api.post(
                        "/hours/entries",
                        {
                            "members": [p.pk for p in members],
                            "on": day.isoformat(),
                            "hours": str(hours),
                            "kind": "online_training",
                            "title": title,
                            "topic": "innovation_theory",
                            "online": True,
                        },
                    )
                    for person in members:
                        self.tally.credits.append(
                            Credit(person.key, day, hours, "online_training", online=True)
                        )

    def candidate_training(self) -> None:
        """发展对象 concentrated training: hours of people who are not (yet) Party members, which
        must never count in a Party member figure."""
        for year, keys in (
            (2020, ["j2", "c3"]),
            (2021, ["j3"]),
            (2022, ["j4", "c4"]),
            (2023, ["j5", "j6"]),
        ):
            day = dt.date(year, 4, 18)
            members = [self.tally.people[k] for k in keys]
            self.api.post(
                "/hours/entries",
                {
                    "members": [p.pk for p in members],
                    "on": day.isoformat(),
                    "hours": "24",
                    "kind": "concentrated_training",
                    "title": f"{year}年发展对象培训班",
                    "topic": "constitution_rules",
                    "concentrated": True,
                },
            )
            for person in members:
                self.tally.credits.append(
                    Credit(person.key, day, Decimal(24), "concentrated_training", concentrated=True)
                )

    # Spending ------------------------------------------------------------------------------

    def expense(
        self,
        *,
        org: int,
        day: dt.date,
        amount: str,
        fund: str,
        purpose: str,
        decided: dt.date | None = None,
        **links: Any,
    ) -> None:
        body: dict[str, Any] = {
            "org": org,
            "spent_on": day.isoformat(),
            "amount": amount,
            "fund": fund,
            "purpose": purpose,
            **links,
        }
        if fund == "party_dues":
            decided = decided or day - dt.timedelta(days=10)
            body.update(
                decision_body="局党委会",
                decision_on=decided.isoformat(),
                decision_ref=f"党委会纪要〔{decided.year}〕{decided.month}号",
            )
        self.api.post("/spending/", body)
        self.tally.spending[fund][day.year] += Decimal(amount)

    def spending(self) -> None:
        """党费: newspapers and journals, books for study, each branch's yearly allocation for its
        education activities (党委五年来共开支党费11万余元); 培训经费: the 党性教育培训班."""
        journals = ("6120.00", "6380.00", "6450.00", "6520.00", "6600.00")
        books = ("4860.00", "5320.00", "7980.00", "3650.00", "5240.00")
        for year, journal, book in zip(YEARS, journals, books, strict=True):
            root = self.tally.root
            self.expense(
                org=root,
                day=dt.date(year, 1, 15),
                amount=journal,
                fund="party_dues",
                purpose=f"{year}年度党报党刊订阅",
                payee="市邮政局",
            )
            self.expense(
                org=root,
                day=dt.date(year, 3, 20),
                amount=book,
                fund="party_dues",
                purpose="购买《习近平谈治国理政》《习近平新时代中国特色社会主义思想学习纲要》等学习书籍",
                payee="新华书店",
            )
            for branch in self.tally.branches:
                self.expense(
                    org=branch,
                    day=dt.date(year, 4, 10),
                    amount="1000.00",
                    fund="party_dues",
                    purpose=f"{year}年度基层党员教育培训活动经费",
                    decided=dt.date(year, 3, 28),
                )
        self.expense(
            org=self.tally.root,
            day=dt.date(2021, 4, 12),
            amount="4180.50",
            fund="party_dues",
            purpose="党史学习教育学习资料",
        )
        for (year, _class, trainees), per_head in zip(
            self.tally.classes["party_spirit"],
            ("2860.00", "2950.00", "3010.00", "3080.00"),
            strict=True,
        ):
            amount = f"{Decimal(per_head) * trainees:.2f}"
            self.expense(
                org=self.tally.root,
                day=dt.date(year, 12, 1),
                amount=amount,
                fund="training_funds",
                purpose="党性教育培训班培训费",
                training_class=_class,
            )
        self.expense(
            org=self.tally.root,
            day=dt.date(2022, 9, 30),
            amount="1200.00",
            fund="other",
            purpose="纪检专家专题讲座讲课费",
        )

    # What the API refuses ------------------------------------------------------------------

    def past_test(self) -> None:
        """A 应知应会测试 held in 2022: the bank, paper and exam enter, but a test that has closed
        cannot be published, and nothing takes the results of a test already held."""
        ids = []
        for n, (stem, answer) in enumerate(
            (
                ("党的最高理想和最终目标是实现共产主义。", "对"),
                ("党员教育培训工作应坚持理论联系实际。", "对"),
            )
        ):
            question = self.api.post(
                "/exams/bank/questions",
                {
                    "org": self.tally.root,
                    "kind": "judge",
                    "stem": stem,
                    "answer": answer,
                    "topics": "constitution_rules",
                    "difficulty": 1 + n,
                },
            )
            ids.append(question["id"])
        paper = self.api.post(
            "/exams/papers",
            {"org": self.tally.root, "title": "2022年党章党规应知应会测试卷", "mode": "fixed"},
        )
        self.api.post(f"/exams/papers/{paper['id']}/questions", {"ids": ids}, expect=200)
        exam = self.api.post(
            "/exams/",
            {
                "org": self.tally.root,
                "title": "2022年党章党规应知应会测试",
                "kind": "basics",
                "paper": paper["id"],
                "opens_at": at(dt.date(2022, 6, 1), 9),
                "closes_at": at(dt.date(2022, 6, 10), 18),
            },
        )
        refused = self.api.post(f"/exams/{exam['id']}/publish", {}, expect=422)
        self.tally.gaps.append(
            "exams: a test held in 2022 cannot be entered: publishing one whose closing time has "
            f"passed is refused ({refused['detail'][0]['msg']}), members can only take a test "
            "while it is open, and no route imports the results of a test already held"
        )

    def past_status(self) -> None:
        """Who a past meeting expects: those who were Party members that day. Someone who
        joined the Party in November 2023 was a 积极分子 at the 主题党日 of January 2019, and is
        not listed there (before the fix in orglife.selectors they were, by today's status, so
        attendance would have credited them)."""
        event = self.events[("theme_day", FIRST_YEAR)]
        joiner = self.tally.people["j6"]
        listed = self.api.get(f"/events/{event}/attendance", q=joiner.name)["count"]
        if listed:
            self.tally.gaps.append(
                "events/orglife: a past meeting expects people who are Party members today but "
                "were not on its day"
            )

    def build(self) -> Tally:
        self.tenant()
        self.roster()
        self.positions()
        self.meetings()
        self.activities()
        self.classes()
        self.online_hours()
        self.candidate_training()
        self.spending()
        self.past_test()
        self.past_status()
        self.tally.token = self.api.token
        return self.tally


KIND_LEDGER = {
    "central_group": "central_group",
    "lecture": "party_lecture",
    "theme_day": "theme_day",
    "expert_lecture": "other",
    "report_meeting": "other",
    "reading_class": "other",
    "onsite_teaching": "other",
}


def _pdf(name: str) -> Any:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% class plan\n", content_type="application/pdf")


def build_bureau(platform_token: str, seed: int = 2019) -> Tally:
    return BureauBuilder(platform_token, seed).build()
