"""The dry run of an external records import: read the file as it streams, sum each person's
rows, match each person to a member, and write the report (one `ImportLine` a person) and
nothing else. Run by the worker (`learning.tasks.import_check`).

Matching, in order: 公民身份号码 (check character validated; found by the keyed hash members are
stored under, never by decrypting), then mobile number, then name + unit. One member found is a
match; several, or none, put the person in the review queue, where a person picks the member.
A row whose ID number is invalid is a problem row and is never matched another way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.crypto import keyed_hash
from peixun.core.idcard import id_number_problem, mask_id_number, normalise_id_number
from peixun.core.spreadsheets import (
    SheetFileError,
    cell_text,
    iter_csv_rows,
    iter_sheet_rows,
    looks_numeric,
)
from peixun.core.text import fold_width, parse_date
from peixun.hours.models import HOURS_STEP, MAX_ENTRY_HOURS
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization

from ...models.imports import ExternalRecord, ImportBatch, ImportLine, period_bounds
from .mapping import FIELD_LABELS, LEFT_OUT, earlier_picks, find_columns, recall_pick

PROBLEMS_KEPT = 500  # the report lists this many problem rows; the count covers them all
PROGRESS_EVERY = 20_000  # rows between two progress writes
READ_SHARE = 85  # the progress bar's share for reading the file; matching and writing the rest
COURSES_KEPT = 10


def ledger_day(period: str) -> dt.date:
    """The date a period's credit is booked on: its last day, or today while it runs."""
    return min(period_bounds(period)[1], timezone.localdate())


def credited_hours(hours: Decimal) -> Decimal:
    """What the ledger records of the hours a platform reports: whole quarters, rounded down."""
    return (hours / HOURS_STEP).to_integral_value(rounding=ROUND_FLOOR) * HOURS_STEP


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", fold_width(text))


# What a row's identifying cells say: (person key, or None when the row names nobody; ID number,
# mobile, name, unit; the ID number's problem, if any).
Identity = tuple[tuple[str, ...] | None, str, str, str, str, str | None]


@dataclass(slots=True)
class Person:
    """One person as the file names them, their rows summed."""

    row: int
    id_number: str = ""  # plain, in memory only; lines keep it masked
    mobile: str = ""
    name: str = ""
    unit: str = ""
    rows: int = 0
    hours: Decimal = Decimal(0)
    points: Decimal | None = None
    raw: dict[str, str] = field(default_factory=dict)
    courses: list[str] = field(default_factory=list)


class FileProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Reading:
    people: dict[tuple[str, ...], Person] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_rows: int = 0
    rows: int = 0

    def problem(self, row: int, column: str, value: object, message: str) -> None:
        self.problem_rows += 1
        if len(self.problems) < PROBLEMS_KEPT:
            text = cell_text(value)
            self.problems.append(
                {"row": row, "column": column, "value": text[:60], "message": message}
            )


def _number(value: object) -> Decimal | None:
    """A cell as a non-negative number; None when blank; InvalidOperation when not a number."""
    if value is None or value == "":
        return None
    number = Decimal(str(value)) if looks_numeric(value) else Decimal(squeeze(str(value)))
    if not number.is_finite() or number < 0:
        raise InvalidOperation
    return number


def _mobile(value: object) -> str:
    digits = re.sub(r"\D", "", fold_width(cell_text(value)))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def rows_of(path: Path, filename: str, progress: Any) -> Any:
    """The file's rows, by its kind: .csv read as text, anything else as a workbook."""
    if filename.lower().endswith(".csv"):
        return iter_csv_rows(path, on_progress=progress)
    return iter_sheet_rows(path, on_progress=progress)


def read_people(batch: ImportBatch, path: Path) -> Reading:
    """Every row of the file, each person's rows summed; raises FileProblem for the file as a
    whole (not a workbook, a mapped column missing)."""
    source = batch.source
    mapping = {f: h for f, h in source.mapping.items() if h}
    start, end = period_bounds(batch.period)

    def progress(share: float) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=int(share * READ_SHARE))

    rows = rows_of(path, batch.filename, progress)
    try:
        found = find_columns(rows, mapping)
    except SheetFileError as problem:
        raise FileProblem(problem.message) from None
    if isinstance(found, str):
        rows.close()
        raise FileProblem(found)
    header_row, columns = found
    labels = {f: mapping[f] for f in columns}
    reading = Reading()
    people = reading.people
    col = columns.get
    i_hours, i_points, i_date = col("hours"), col("points"), col("date")
    i_id, i_mobile, i_name, i_unit, i_course = (
        col("id_number"),
        col("mobile"),
        col("name"),
        col("unit"),
        col("course"),
    )

    def cell(cells: list[Any], index: int | None) -> Any:
        return cells[index] if index is not None and index < len(cells) else None

    width = max(columns.values()) + 1  # every mapped column's index is below it

    # An export repeats the same few values row after row (a person's name, ID number and unit
    # on each of their rows, the same dates and hours): each distinct value is read once.
    numbers: dict[Any, Decimal | None] = {}
    days: dict[Any, dt.date | None] = {}

    def number_of(value: Any) -> Decimal | None:
        """The value as a number (None when blank); InvalidOperation when it is none."""
        try:
            return numbers[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell never comes from the readers; read it as is
            return _number(value)
        got = numbers[value] = _number(value)
        return got

    def day_of(value: Any) -> dt.date | None:
        if value not in days:
            try:
                days[value] = parse_date(value)
            except (ValueError, OverflowError):
                days[value] = None
        return days[value]

    def id_of(value: Any) -> tuple[str, str | None]:
        number = normalise_id_number(cell_text(value))
        problem = None
        if number:
            problem = (
                _(
                    "Stored as a number, the ID number has lost its last digits; "
                    "store the column as text."
                )
                if looks_numeric(value) and len(number) != 18
                else id_number_problem(number)
            )
        return number, problem

    def identify(cells: list[Any]) -> Identity:
        id_number = mobile = name = unit = ""
        if i_id is not None:
            id_number, id_problem = id_of(cells[i_id])
            if id_problem:
                return None, id_number, "", "", "", id_problem
        if i_mobile is not None:
            mobile = _mobile(cells[i_mobile])
        if i_name is not None:
            name = squeeze(cell_text(cells[i_name]))
        if i_unit is not None:
            unit = squeeze(cell_text(cells[i_unit]))
        key: tuple[str, ...] | None = None
        if id_number:
            key = ("i", id_number)
        elif mobile:
            key = ("m", mobile)
        elif name:
            key = ("n", name, unit)
        return key, id_number, mobile, name, unit, None

    # A person's rows repeat the same ID number, mobile, name and unit: the cells that tell who
    # a row is are read once for each distinct combination, and each later row is one lookup.
    who: dict[Any, Identity] = {}
    at = [i for i in (i_id, i_mobile, i_name, i_unit) if i is not None]
    ident_of = itemgetter(*at) if at else (lambda cells: ())

    try:
        for number, cells in rows:
            # A blank row (every cell None or ""), counted at C speed: most rows are not.
            if number <= header_row or cells.count(None) + cells.count("") == len(cells):
                continue
            if len(cells) < width:  # a short row: its missing cells are blank
                cells = cells + [None] * (width - len(cells))
            reading.rows += 1
            if reading.rows % PROGRESS_EVERY == 0:
                ImportBatch.objects.filter(pk=batch.pk).update(rows_read=reading.rows)
                # Bounded memory however varied the file: forget what was read so far.
                for memo in (numbers, days, who):
                    if len(memo) > 200_000:
                        memo.clear()
            value = cells[i_hours] if i_hours is not None else None
            try:
                hours = number_of(value) or Decimal(0)
            except (InvalidOperation, ValueError):
                reading.problem(number, labels["hours"], value, _("Not a number of hours."))
                continue
            points = None
            if i_points is not None:
                value = cells[i_points]
                try:
                    points = number_of(value)
                except (InvalidOperation, ValueError):
                    reading.problem(number, labels["points"], value, _("Not a number."))
                    continue
            if i_date is not None:
                value = cells[i_date]
                day = day_of(value)
                if day is None:
                    reading.problem(number, labels["date"], value, _("Not a date."))
                    continue
                if not start <= day <= end:
                    reading.problem(
                        number,
                        labels["date"],
                        value,
                        _("The date is outside the period %(period)s.") % {"period": batch.period},
                    )
                    continue
            ident = ident_of(cells)
            known = who.get(ident)
            if known is None:
                known = who[ident] = identify(cells)
            key, id_number, mobile, name, unit, id_problem = known
            if id_problem:
                reading.problem(number, labels["id_number"], mask_id_number(id_number), id_problem)
                continue
            if key is None:
                reading.problem(
                    number, "", "", _("The row names nobody: no ID number, mobile or name.")
                )
                continue
            person = people.get(key)
            if person is None:
                person = people[key] = Person(
                    row=number, id_number=id_number, mobile=mobile, name=name, unit=unit
                )
                person.raw = {
                    labels[f]: (
                        mask_id_number(id_number) if f == "id_number" else cell_text(cell(cells, i))
                    )[:100]
                    for f, i in columns.items()
                }
            person.rows += 1
            person.hours += hours
            if points is not None:
                person.points = points + (person.points or 0)
            if i_course is not None and len(person.courses) < COURSES_KEPT:
                title = cell_text(cells[i_course])[:100]
                if title and title not in person.courses:
                    person.courses.append(title)
    except SheetFileError as problem:
        raise FileProblem(problem.message) from None
    return reading


@dataclass
class Roster:
    """The members an import may credit (the source's org and below), indexed for matching."""

    by_hash: dict[str, int]
    by_mobile: dict[str, list[int]]
    by_name: dict[str, list[int]]
    unit_names: dict[int, tuple[str, ...]]  # member → the names of their org and its parents

    @classmethod
    def of(cls, org: Organization) -> Roster:
        orgs = dict(
            Organization.objects.filter(path__startswith=org.path).values_list("path", "name")
        )
        step = Organization.steplen
        names_of_path: dict[str, tuple[str, ...]] = {}
        for path in orgs:
            names = [
                squeeze(orgs[path[:end]])
                for end in range(len(org.path), len(path) + 1, step)
                if path[:end] in orgs
            ]
            names_of_path[path] = tuple(n for n in names if n)
        by_hash: dict[str, int] = {}
        by_mobile: dict[str, list[int]] = defaultdict(list)
        by_name: dict[str, list[int]] = defaultdict(list)
        unit_names: dict[int, tuple[str, ...]] = {}
        members = Member.objects.filter(org__path__startswith=org.path).values_list(
            "pk", "name", "mobile", "id_number_hash", "org__path"
        )
        for pk, name, mobile, digest, path in members.iterator(chunk_size=10_000):
            by_hash[digest] = pk
            if mobile:
                by_mobile[mobile].append(pk)
            by_name[squeeze(name)].append(pk)
            unit_names[pk] = names_of_path.get(path, ())
        return cls(by_hash, dict(by_mobile), dict(by_name), unit_names)

    def in_unit(self, member: int, unit: str) -> bool:
        return any(
            n == unit or n in unit or (len(unit) >= 4 and unit in n)
            for n in self.unit_names.get(member, ())
        )

    def match(self, person: Person) -> tuple[int | None, str, list[int]]:
        """(member, how, candidates): a member and how they were found, or the candidates a
        reviewer chooses from (none when the file names someone unknown)."""
        if person.id_number:
            found = self.by_hash.get(keyed_hash(person.id_number))
            if found is not None:
                return found, ImportLine.Match.ID_NUMBER, []
        candidates: list[int] = []
        if person.mobile:
            by_mobile = self.by_mobile.get(person.mobile, [])
            if len(by_mobile) == 1:
                return by_mobile[0], ImportLine.Match.MOBILE, []
            candidates = list(by_mobile)
        if person.name:
            by_name = self.by_name.get(person.name, [])
            in_unit = [m for m in by_name if person.unit and self.in_unit(m, person.unit)]
            if len(in_unit) == 1:
                return in_unit[0], ImportLine.Match.NAME_UNIT, []
            candidates = candidates or in_unit or by_name
        return None, ImportLine.Match.NONE, candidates[:20]


def plan_lines(batch: ImportBatch, reading: Reading) -> list[ImportLine]:
    """The report: a line a person, matched or queued for review, with what applying would do."""
    source = batch.source
    roster = Roster.of(source.org)
    picks = earlier_picks(batch)
    lines: dict[int, ImportLine] = {}
    queued: list[ImportLine] = []
    for person in reading.people.values():
        member, how, candidates = roster.match(person)
        line = ImportLine(
            batch=batch,
            row=person.row,
            rows=person.rows,
            name=person.name[:60],
            id_masked=mask_id_number(person.id_number) if person.id_number else "",
            mobile=person.mobile[:20],
            unit=person.unit[:120],
            hours=person.hours,
            points=person.points,
            raw={"row": person.raw, "courses": person.courses},
        )
        if member is None and not person.id_number:
            decided = recall_pick(picks, line.name, line.unit, roster.unit_names)
            if decided is LEFT_OUT:  # left out by an earlier review: again, nobody is asked
                line.state, line.match = ImportLine.State.SKIPPED, ImportLine.Match.REMEMBERED
                queued.append(line)
                continue
            if isinstance(decided, int):
                member, how = decided, ImportLine.Match.REMEMBERED
        if member is None:
            line.state = ImportLine.State.REVIEW
            line.candidates = candidates
            queued.append(line)
            continue
        earlier = lines.get(member)
        if earlier is not None:  # the same member named two ways (ID in one row, mobile in another)
            earlier.rows += line.rows
            earlier.hours += line.hours
            if line.points is not None:
                earlier.points = line.points + (earlier.points or 0)
            continue
        line.member_id = member
        line.match = how
        line.state = ImportLine.State.MATCHED
        lines[member] = line
    judge_lines(batch, list(lines.values()))
    return sorted([*lines.values(), *queued], key=lambda line: line.row)


def judge_lines(batch: ImportBatch, lines: list[ImportLine]) -> None:
    """Set each matched line's outcome (new, changed, unchanged) against the stored records,
    or its problem (not in a branch on the ledger day, hours beyond one entry)."""
    members = {line.member_id for line in lines if line.member_id}
    day = ledger_day(batch.period)
    source_path = batch.source.org.path
    registered = set(
        Membership.objects.on(day)
        .filter(member__org__path__startswith=source_path)
        .values_list("member_id", flat=True)
    )
    stored = {
        member: (hours, points)
        for member, hours, points in ExternalRecord.objects.filter(
            source=batch.source, period=batch.period
        ).values_list("member_id", "hours", "points")
        if member in members
    }
    for line in lines:
        if line.member_id is None:
            continue
        if line.hours > MAX_ENTRY_HOURS:
            line.state = ImportLine.State.PROBLEM
            line.problem = _("More than %(max)s hours in one period.") % {"max": MAX_ENTRY_HOURS}
            line.outcome = ImportLine.Outcome.NONE
            continue
        if line.member_id not in registered:
            line.state = ImportLine.State.PROBLEM
            line.problem = _("Not registered in a branch on %(day)s.") % {"day": day.isoformat()}
            line.outcome = ImportLine.Outcome.NONE
            continue
        before = stored.get(line.member_id)
        if before is None:
            line.outcome = ImportLine.Outcome.NEW
        elif before == (line.hours, line.points):
            line.outcome = ImportLine.Outcome.UNCHANGED
        else:
            line.outcome = ImportLine.Outcome.CHANGED


def count_lines(batch: ImportBatch, lines: list[ImportLine]) -> None:
    """The batch's counts from its lines (the report's summary)."""
    State, Outcome = ImportLine.State, ImportLine.Outcome
    batch.people = len(lines)
    batch.matched = sum(1 for line in lines if line.state == State.MATCHED)
    batch.review = sum(1 for line in lines if line.state == State.REVIEW)
    matched = [line for line in lines if line.state == State.MATCHED]
    batch.new = sum(1 for line in matched if line.outcome == Outcome.NEW)
    batch.changed = sum(1 for line in matched if line.outcome == Outcome.CHANGED)
    batch.unchanged = sum(1 for line in matched if line.outcome == Outcome.UNCHANGED)


def batch_fail(batch: ImportBatch, message: str) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.error = message
    batch.progress = 100
    batch.checked_at = timezone.now()
    if batch.file:
        batch.file.delete(save=False)
    batch.save()


def import_check_run(batch_id: int) -> None:
    """The worker's dry run of one batch: its report replaces any earlier one; nothing outside
    the batch and its lines is written."""
    batch = ImportBatch.objects.select_related("source__org").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return  # checked already (a task run twice) or applied since
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKING, progress=0)
    if not batch.file:
        batch_fail(batch, _("The uploaded file is no longer kept; upload it again."))
        return
    try:
        reading = read_people(batch, Path(batch.file.path))
    except FileProblem as problem:
        batch_fail(batch, problem.message)
        return
    ImportBatch.objects.filter(pk=batch.pk).update(progress=READ_SHARE, rows_read=reading.rows)
    lines = plan_lines(batch, reading)
    with transaction.atomic():
        batch.lines.all().delete()
        ImportLine.objects.bulk_create(lines, batch_size=2000)
        count_lines(batch, lines)
        batch.rows_read = reading.rows
        batch.problem_rows = reading.problem_rows
        batch.problems = reading.problems
        batch.status = ImportBatch.Status.CHECKED
        batch.progress = 100
        batch.error = ""
        batch.checked_at = timezone.now()
        batch.save()


__all__ = ["FIELD_LABELS", "import_check_run"]
