"""Pure rules of online learning (no ORM, no request, no I/O): merging the intervals a player
reports into unique seconds, judging one progress report, when a course is complete, and the
学时 a completed course earns by the tenant's bands.

The player is never trusted. A report is a list of [start, end) intervals of media time it
says were played since its last report, the wall-clock seconds it says passed, and where it
stands. The server judges it against its own clock and what it already holds; a report that
fails a check is refused whole (nothing stored but a strike naming the check).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Interval = tuple[float, float]

# Slack for clocks, timers and the network over a whole session: a player may be a second or two
# out, never 20 %.
WALL_TOLERANCE = 2.0
# Slack per report against the server's clock since the last accepted report. The server times a
# report when it processes it, and a busy server holds reports in its queue for different times:
# two honest reports 10 s apart may be processed 7 s apart (bench/learning_watch.py found it at
# 60 reports/s on PostgreSQL). One report period of slack absorbs that; the session's bound
# (WALL_TOLERANCE) keeps the total honest, so the slack only lets a player bank 12 s of pause.
REPORT_TOLERANCE = 12.0
# How far past the furthest point watched a member of a no-skipping course may start: the
# player's own seek step and a keyframe's worth of rounding.
SKIP_TOLERANCE = 5.0
# A session with no report for this long is no longer playing: another item may start.
LIVE_SECONDS = 30.0
# After the presence check appears the member has this long to answer it.
PRESENCE_GRACE = 60.0
# One report covers seconds, not hours: more intervals than this is not a player.
MAX_INTERVALS = 50
# Media time is kept to a tenth of a second.
PRECISION = 1

WALL_CLOCK = "wall_clock"
BACKWARDS = "backwards"
SKIP = "skip"
SPEED = "speed"
CONCURRENT = "concurrent"
PRESENCE = "presence"  # not counted, but no strike: walking away is not cheating


class ReportError(ValueError):
    """A report that is not a report (bad shape, outside the video): a 400, not a strike."""


def clean_intervals(raw: Any, duration: float) -> list[Interval]:
    """The intervals of a report as (start, end) floats within [0, duration], or ReportError.
    An interval whose end is before its start is kept as it is: that is a strike, not bad shape."""
    if not isinstance(raw, list | tuple) or len(raw) > MAX_INTERVALS:
        raise ReportError(f"intervals must be a list of at most {MAX_INTERVALS} pairs")
    out: list[Interval] = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ReportError("each interval is a [start, end] pair")
        try:
            start, end = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ReportError("interval bounds must be numbers") from None
        if isinstance(pair[0], bool) or isinstance(pair[1], bool):
            raise ReportError("interval bounds must be numbers")
        if not (math.isfinite(start) and math.isfinite(end)):
            raise ReportError("interval bounds must be finite")
        # The player's clock may end a hair past the file's stated length.
        if min(start, end) < 0 or max(start, end) > duration + 1:
            raise ReportError("an interval lies outside the video")
        out.append((round(start, PRECISION), round(min(end, duration), PRECISION)))
    return out


def merge(intervals: Iterable[Sequence[float]]) -> list[Interval]:
    """The union of [start, end) intervals as disjoint sorted pairs; empty ones dropped and
    touching ones joined ([0, 5) + [5, 9) = [0, 9))."""
    pairs = sorted((float(s), float(e)) for s, e in intervals if float(e) > float(s))
    out: list[Interval] = []
    for start, end in pairs:
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def covered(intervals: Iterable[Sequence[float]]) -> float:
    """Seconds covered by the union of the intervals."""
    return sum(end - start for start, end in merge(intervals))


def unique_seconds(intervals: Iterable[Sequence[float]]) -> int:
    """Whole seconds covered at least once (a rewatched second counts once)."""
    return int(math.floor(covered(intervals) + 1e-6))


def furthest(intervals: Sequence[Sequence[float]]) -> float:
    """The furthest point watched: where a member of a no-skipping course may go on from."""
    return max((float(e) for _, e in intervals), default=0.0)


@dataclass(frozen=True)
class Session:
    """What the server holds of the member's live play session when a report arrives."""

    same_item: bool  # the report is for the item the session plays
    same_token: bool  # and from the tab that started it
    live: bool  # the session reported within LIVE_SECONDS
    wall_since_start: float  # server seconds since the session began
    played: float  # media seconds already accepted in this session
    wall_since_report: float  # server seconds since the last accepted report (or the start)
    idle: float  # server seconds since the member last showed they were there


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str = ""  # one of the check names above when refused
    claimed: float = 0.0  # media seconds the report says were played
    merged: list[Interval] = field(default_factory=list)  # the item's intervals after it
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def strike(self) -> bool:
        return not self.accepted and self.reason != PRESENCE


def judge_report(
    *,
    intervals: list[Interval],
    client_elapsed: float,
    watched: list[Interval],
    allow_skip: bool,
    session: Session,
    idle_limit: float,
) -> Verdict:
    """Accept a report (returning the item's merged intervals) or refuse it with the first
    check it fails, in this order: another item or tab playing, an interval running
    backwards, faster than 1× by the player's own clock, more than the server's clock allows,
    a skip ahead where skipping is forbidden, an unanswered presence check."""
    claimed = round(sum(e - s for s, e in intervals if e > s), 3)
    facts: dict[str, Any] = {"intervals": [list(p) for p in intervals], "claimed": claimed}

    def refuse(reason: str, **more: Any) -> Verdict:
        return Verdict(False, reason, claimed, list(watched), {**facts, **more})

    if not (session.same_item and session.same_token) and session.live:
        return refuse(CONCURRENT)
    if not session.same_item or not session.same_token:
        # A stale tab of an ended session: it must start again, and earns nothing meanwhile.
        return refuse(CONCURRENT, stale=True)
    if any(e < s for s, e in intervals):
        return refuse(BACKWARDS)
    # More media seconds than the player's own clock: 2× (or a tampered element).
    if claimed > max(client_elapsed, 0.0) + WALL_TOLERANCE:
        return refuse(SPEED, elapsed=round(client_elapsed, 3))
    # The server's clock bounds both this report (no banking of paused time) and the session
    # (a tolerance per report never compounds).
    if claimed > session.wall_since_report + REPORT_TOLERANCE or (
        session.played + claimed > session.wall_since_start + WALL_TOLERANCE
    ):
        return refuse(
            WALL_CLOCK,
            wall=round(session.wall_since_report, 3),
            session_wall=round(session.wall_since_start, 3),
            session_played=round(session.played, 3),
        )
    if not allow_skip:
        reach = furthest(watched)
        for start, end in intervals:
            if start > reach + SKIP_TOLERANCE:
                return refuse(SKIP, reach=round(reach, PRECISION), start=start)
            reach = max(reach, end)
    if session.idle > idle_limit + PRESENCE_GRACE:
        return refuse(PRESENCE, idle=round(session.idle, 1))
    return Verdict(True, "", claimed, merge([*watched, *intervals]), facts)


# -- completion and credit ----------------------------------------------------------------------


@dataclass(frozen=True)
class CourseState:
    """What a member has done in a course, in figures."""

    video_seconds: int  # the length of its videos
    watched_seconds: int  # unique seconds watched of them (each capped at its video's length)
    documents: int
    documents_opened: int
    quizzes: int
    quizzes_passed: int


def watched_share(state: CourseState) -> Decimal:
    """Percent of the videos' length watched, one decimal (100 when there is no video)."""
    if state.video_seconds <= 0:
        return Decimal(100)
    share = Decimal(min(state.watched_seconds, state.video_seconds) * 100) / state.video_seconds
    return share.quantize(Decimal("0.1"))


def watched_enough(state: CourseState, watch_percent: int) -> bool:
    """Its videos watched to the share the course asks and its documents opened. A course with
    neither has nothing to watch, so watching cannot complete it."""
    if state.video_seconds <= 0 and state.documents == 0:
        return False
    if state.documents_opened < state.documents:
        return False
    return watched_share(state) >= watch_percent


def quiz_passed(state: CourseState) -> bool:
    return state.quizzes > 0 and state.quizzes_passed >= state.quizzes


def is_complete(move_on: str, state: CourseState, watch_percent: int) -> bool:
    """The course's rule (cmi5 moveOn): watched, passed, both, or either."""
    watched = watched_enough(state, watch_percent)
    passed = quiz_passed(state)
    if move_on == "watched":
        return watched
    if move_on == "passed":
        return passed
    if move_on == "watched_and_passed":
        return watched and passed
    if move_on == "watched_or_passed":
        return watched or passed
    raise ValueError(f"unknown completion rule {move_on!r}")


@dataclass(frozen=True)
class Bands:
    """A tenant's bands (DESIGN §3 defaults): ≥ 30 min = 1 学时, 15–30 min = 0.5, < 15 min =
    0.25, a passed quiz 0.5."""

    long_minutes: int = 30
    long_hours: Decimal = Decimal("1")
    mid_minutes: int = 15
    mid_hours: Decimal = Decimal("0.5")
    short_hours: Decimal = Decimal("0.25")
    quiz_hours: Decimal = Decimal("0.5")


def band_hours(
    *, video_seconds: int, has_content: bool, passed_quiz: bool, bands: Bands
) -> Decimal:
    """The 学时 a completed course earns when it states none: its videos' length by the bands
    (a course of documents only is a short one), plus the quiz's when its quiz was passed."""
    hours = Decimal(0)
    if video_seconds > 0:
        if video_seconds >= bands.long_minutes * 60:
            hours = bands.long_hours
        elif video_seconds >= bands.mid_minutes * 60:
            hours = bands.mid_hours
        else:
            hours = bands.short_hours
    elif has_content:
        hours = bands.short_hours
    if passed_quiz:
        hours += bands.quiz_hours
    return hours


def progress_percent(state: CourseState, needs_watching: bool, needs_quiz: bool) -> int:
    """A progress bar's width: the parts the course asks for, each weighed by its share done."""
    parts: list[Decimal] = []
    if needs_watching and (state.video_seconds > 0 or state.documents):
        parts.append(min(watched_share(state), Decimal(100)))
        if state.documents:
            parts.append(Decimal(100 * state.documents_opened) / state.documents)
    if needs_quiz and state.quizzes:
        parts.append(Decimal(100 * state.quizzes_passed) / state.quizzes)
    if not parts:
        return 0
    return int(sum(parts) / len(parts))
