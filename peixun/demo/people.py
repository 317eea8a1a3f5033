"""One synthetic person at a time: name, ID number, dates and status, all consistent.

Pure functions over a `random.Random`, so the same seed gives the same tenant.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from peixun.core.crypto import keyed_hash
from peixun.core.idcard import make_id_number
from peixun.members.models import Member

from .names import (
    FEMALE_CHARS,
    HOME_REGION,
    MALE_CHARS,
    MOBILE_PREFIXES,
    NEARBY_REGIONS,
    OLDER_FEMALE_CHARS,
    OLDER_MALE_CHARS,
    SURNAME_WEIGHTS,
)

SURNAMES = [s for s, _ in SURNAME_WEIGHTS]
SURNAME_CUM_WEIGHTS = list(itertools.accumulate(w for _, w in SURNAME_WEIGHTS))

Status = Member.Status
Rank = Member.CadreRank
Employment = Member.Employment
Exempt = Member.ExemptReason
Education = Member.Education

# (education, weight) by the decade of life; older members studied less formally.
EDUCATION_BY_AGE: tuple[tuple[int, tuple[tuple[str, int], ...]], ...] = (
    (
        35,
        (
            (Education.POSTGRADUATE, 15),
            (Education.BACHELOR, 65),
            (Education.COLLEGE, 15),
            (Education.SECONDARY, 5),
        ),
    ),
    (
        50,
        (
            (Education.POSTGRADUATE, 8),
            (Education.BACHELOR, 52),
            (Education.COLLEGE, 28),
            (Education.HIGH_SCHOOL, 8),
            (Education.SECONDARY, 4),
        ),
    ),
    (
        65,
        (
            (Education.BACHELOR, 30),
            (Education.COLLEGE, 35),
            (Education.HIGH_SCHOOL, 20),
            (Education.SECONDARY, 10),
            (Education.JUNIOR, 5),
        ),
    ),
    (
        200,
        (
            (Education.BACHELOR, 10),
            (Education.COLLEGE, 20),
            (Education.HIGH_SCHOOL, 30),
            (Education.SECONDARY, 15),
            (Education.JUNIOR, 25),
        ),
    ),
)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class Person:
    """Everything about a member that does not depend on the database."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    mobile: str
    education: str
    status: str
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    cadre_rank: str
    employment: str
    exempt_reason: str

    @property
    def can_lead(self) -> bool:
        """Fit to be elected to a branch committee: a full member who is not exempt or away."""
        return (
            self.status == Status.FULL
            and not self.exempt_reason
            and self.employment != Employment.MOBILE
        )


class PersonFactory:
    """Makes people for one tenant, keeping ID numbers and mobiles unique."""

    def __init__(self, rng: random.Random, today: dt.date, taken_hashes: set[str]) -> None:
        self.rng = rng
        self.today = today
        self.id_numbers: set[str] = set()
        # Keyed hashes of ID numbers already stored (other tenants): never reuse one.
        self.taken_hashes = taken_hashes
        self.mobiles: set[str] = set()

    def name(self, male: bool, age: int) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
        pool = MALE_CHARS if male else FEMALE_CHARS
        if age >= 60:
            pool += OLDER_MALE_CHARS if male else OLDER_FEMALE_CHARS
        length = 1 if rng.random() < 0.25 else 2
        return surname + "".join(rng.choice(pool) for _ in range(length))

    def id_number(self, birth: dt.date, male: bool) -> str:
        rng = self.rng
        region = HOME_REGION if rng.random() < 0.85 else rng.choice(NEARBY_REGIONS)
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = make_id_number(region, birth, sequence)
            if number in self.id_numbers:
                continue
            if not self.taken_hashes or keyed_hash(number) not in self.taken_hashes:
                self.id_numbers.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def education(self, age: int) -> str:
        for upto, table in EDUCATION_BY_AGE:
            if age < upto:
                return self.rng.choices([e for e, _ in table], weights=[w for _, w in table])[0]
        return Education.HIGH_SCHOOL

    def person(self, *, retired_branch: bool, force: str = "") -> Person:
        """A member of a retired-cadres branch or of a working branch.

        `force` makes the person "probationary" or "exempt", so a demo branch shows both.
        """
        rng, today = self.rng, self.today
        if retired_branch:
            age = min(85, max(58, round(rng.triangular(58, 86, 66))))
        else:
            age = min(60, max(22, round(rng.triangular(22, 60, 38))))
        if force == "probationary":
            age = min(age, 35)
        male = rng.random() < 0.62
        lower = add_years(today, -(age + 1)) + dt.timedelta(days=1)
        upper = add_years(today, -age)
        birth = lower + dt.timedelta(days=rng.randrange((upper - lower).days + 1))

        if retired_branch or (age >= 58 and rng.random() < 0.2):
            employment = Employment.RETIRED
        elif age <= 50 and rng.random() < 0.025:
            employment = Employment.MOBILE
        else:
            employment = Employment.ON_DUTY

        roll = rng.random()
        if employment != Employment.ON_DUTY or age > 45 or roll < 0.86:
            status = Status.FULL
        elif roll < 0.93:
            status = Status.PROBATIONARY
        elif roll < 0.965:
            status = Status.CANDIDATE
        else:
            status = Status.ACTIVIST
        if force == "probationary":
            status, employment = Status.PROBATIONARY, Employment.ON_DUTY
        elif force == "exempt":
            status = Status.FULL

        joined: dt.date | None = None
        confirmed: dt.date | None = None
        if status == Status.FULL:
            latest = min(age - 1, 45)
            joined_age = round(rng.triangular(18, latest, min(24, latest)))
            joined = add_years(birth, joined_age) + dt.timedelta(days=rng.randrange(300))
            # A full member passed a year of probation, so joined at least a year ago.
            joined = min(joined, today - dt.timedelta(days=366 + rng.randrange(30)))
            joined = max(joined, add_years(birth, 18))
            confirmed = add_years(joined, 1)
        elif status == Status.PROBATIONARY:
            joined = today - dt.timedelta(days=rng.randrange(40, 360))

        rank = Rank.NONE
        if employment == Employment.ON_DUTY:
            roll = rng.random()
            if roll < 0.03 and age >= 38:
                rank = Rank.COUNTY_PLUS
            elif roll < 0.20 and age >= 28:
                rank = Rank.TOWNSHIP
            elif roll < 0.65:
                rank = Rank.STAFF

        exempt = ""
        if force == "exempt":
            exempt = Exempt.ILL
        elif employment == Employment.RETIRED and age >= 75 and rng.random() < 0.35:
            exempt = rng.choices([Exempt.ELDERLY, Exempt.IMMOBILE, Exempt.ILL], [70, 20, 10])[0]
        elif employment == Employment.RETIRED and age >= 65 and rng.random() < 0.04:
            exempt = rng.choice([Exempt.IMMOBILE, Exempt.ILL])
        elif employment == Employment.ON_DUTY and rng.random() < 0.003:
            exempt = Exempt.ILL

        roll = rng.random()
        ethnicity = "汉族" if roll < 0.97 else ("回族" if roll < 0.99 else "满族")
        has_mobile = age < 80 or rng.random() < 0.6
        return Person(
            name=self.name(male, age),
            gender="M" if male else "F",
            ethnicity=ethnicity,
            birth_date=birth,
            id_number=self.id_number(birth, male),
            mobile=self.mobile() if has_mobile else "",
            education=self.education(age),
            status=status,
            joined_on=joined,
            confirmed_on=confirmed,
            cadre_rank=rank,
            employment=employment,
            exempt_reason=exempt,
        )
