"""The pure rules by hand: merging, each refusal, 2× speed, skipping, a concurrent item,
idle time, completion rules and the bands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peixun.learning import logic
from peixun.learning.logic import Bands, CourseState, Session


def session(**over: object) -> Session:
    base: dict[str, object] = {
        "same_item": True,
        "same_token": True,
        "live": True,
        "wall_since_start": 100.0,
        "played": 0.0,
        "wall_since_report": 10.0,
        "idle": 10.0,
    }
    base.update(over)
    return Session(**base)  # type: ignore[arg-type]


def judge(intervals: list[tuple[float, float]], **kw: object) -> logic.Verdict:
    args: dict[str, object] = {
        "client_elapsed": 10.0,
        "watched": [],
        "allow_skip": False,
        "session": session(),
        "idle_limit": 600.0,
    }
    args.update(kw)
    return logic.judge_report(intervals=intervals, **args)  # type: ignore[arg-type]


def test_merge_joins_overlapping_and_touching_and_drops_empty() -> None:
    assert logic.merge([(5, 9), (0, 5), (20, 30), (25, 26), (40, 40)]) == [(0, 9), (20, 30)]
    assert logic.merge([]) == []


def test_unique_seconds_counts_a_rewatched_second_once() -> None:
    assert logic.unique_seconds([(0, 10), (0, 10), (5, 15)]) == 15
    assert logic.unique_seconds([(0, 9.95)]) == 9
    assert logic.furthest([(0, 10), (30, 42.5)]) == 42.5


def test_clean_intervals_refuses_bad_shapes() -> None:
    assert logic.clean_intervals([[0, 10.04]], 60) == [(0, 10.0)]
    for bad in ("x", [[0]], [["a", 1]], [[0, 100]], [[-1, 3]], [[True, 3]], [[0, float("nan")]]):
        with pytest.raises(logic.ReportError):
            logic.clean_intervals(bad, 60)
    with pytest.raises(logic.ReportError):
        logic.clean_intervals([[0, 1]] * 51, 60)
    # An end past the stated length by less than a second is the player's rounding: clipped.
    assert logic.clean_intervals([[50, 60.6]], 60) == [(50, 60)]


def test_a_normal_report_is_accepted_and_merged() -> None:
    verdict = judge([(10, 20)], watched=[(0, 10)])
    assert verdict.accepted and verdict.merged == [(0, 20)]
    assert verdict.claimed == 10


def test_backwards_interval_is_refused() -> None:
    verdict = judge([(20, 10)], watched=[(0, 20)])
    assert not verdict.accepted and verdict.reason == logic.BACKWARDS and verdict.strike


def test_double_speed_is_refused_by_the_players_own_clock() -> None:
    # 20 media seconds in 10 seconds of the player's clock: 2×.
    verdict = judge([(0, 20)], session=session(wall_since_report=25.0, wall_since_start=25.0))
    assert verdict.reason == logic.SPEED
    # Within the tolerance of 1× it passes.
    assert judge([(0, 11.5)]).accepted


def test_more_than_the_servers_clock_allows_is_refused() -> None:
    # The player lies about its clock (says 30 s), but only 10 s passed on the server.
    verdict = judge([(0, 30)], client_elapsed=30.0)
    assert verdict.reason == logic.WALL_CLOCK
    # The session's total bounds it too: small over-claims do not add up.
    verdict = judge(
        [(0, 10)], session=session(played=95.0, wall_since_start=100.0, wall_since_report=10.0)
    )
    assert verdict.reason == logic.WALL_CLOCK


def test_a_busy_servers_queue_does_not_strike_an_honest_player() -> None:
    # Two reports sent 10 s apart, the first held 3 s longer in the server's queue: processed
    # 7 s apart. The session's clock still covers all played time: accepted.
    verdict = judge(
        [(20, 30)],
        client_elapsed=10.0,
        watched=[(0.0, 20.0)],
        session=session(played=20.0, wall_since_start=31.0, wall_since_report=7.0),
    )
    assert verdict.accepted
    # More than one period beyond the server's clock since the last report is still refused.
    verdict = judge(
        [(20, 35)],
        client_elapsed=15.0,
        watched=[(0.0, 20.0)],
        session=session(played=20.0, wall_since_start=300.0, wall_since_report=2.0),
    )
    assert verdict.reason == logic.WALL_CLOCK


def test_paused_time_cannot_be_banked() -> None:
    # Paused for 5 minutes, then claims 60 s in one report sent 10 s after the last one.
    verdict = judge(
        [(0, 60)], client_elapsed=60.0, session=session(wall_since_start=400.0, played=30.0)
    )
    assert verdict.reason == logic.WALL_CLOCK


def test_skip_ahead_is_refused_where_forbidden_and_allowed_where_allowed() -> None:
    watched = [(0, 30)]
    assert judge([(300, 310)], watched=watched).reason == logic.SKIP
    assert judge([(33, 43)], watched=watched).accepted  # within the tolerance
    assert judge([(5, 15)], watched=watched).accepted  # going back is fine
    assert judge([(300, 310)], watched=watched, allow_skip=True).accepted
    # Within one report, reach grows interval by interval.
    assert judge([(30, 35), (36, 40)], watched=watched).accepted


def test_a_concurrent_item_is_refused() -> None:
    verdict = judge([(0, 10)], session=session(same_item=False))
    assert verdict.reason == logic.CONCURRENT and verdict.strike
    assert judge([(0, 10)], session=session(same_token=False)).reason == logic.CONCURRENT
    # A stale tab of a session that has ended is refused too, flagged stale.
    stale = judge([(0, 10)], session=session(same_token=False, live=False))
    assert stale.reason == logic.CONCURRENT and stale.detail["stale"]


def test_time_after_an_unanswered_presence_check_does_not_count_and_is_no_strike() -> None:
    verdict = judge([(0, 10)], session=session(idle=600 + logic.PRESENCE_GRACE + 1))
    assert verdict.reason == logic.PRESENCE and not verdict.accepted and not verdict.strike
    assert judge([(0, 10)], session=session(idle=600 + logic.PRESENCE_GRACE - 1)).accepted


def test_a_refused_report_keeps_what_was_watched() -> None:
    verdict = judge([(20, 10)], watched=[(0, 20)])
    assert verdict.merged == [(0, 20)]


def state(**over: int) -> CourseState:
    base: dict[str, int] = {
        "video_seconds": 600,
        "watched_seconds": 0,
        "documents": 0,
        "documents_opened": 0,
        "quizzes": 1,
        "quizzes_passed": 0,
    }
    base.update(over)
    return CourseState(**base)


def test_completion_rules() -> None:
    watched = state(watched_seconds=540)  # 90 %
    passed = state(quizzes_passed=1)
    both = state(watched_seconds=600, quizzes_passed=1)
    assert logic.is_complete("watched", watched, 90)
    assert not logic.is_complete("watched", state(watched_seconds=539), 90)
    assert logic.is_complete("passed", passed, 90) and not logic.is_complete("passed", watched, 90)
    assert logic.is_complete("watched_and_passed", both, 90)
    assert not logic.is_complete("watched_and_passed", watched, 90)
    assert logic.is_complete("watched_or_passed", passed, 90)
    assert logic.is_complete("watched_or_passed", watched, 90)
    # An unopened document holds back "watched"; a course of nothing cannot be watched.
    assert not logic.is_complete("watched", state(watched_seconds=600, documents=1), 90)
    assert not logic.is_complete("watched", state(video_seconds=0, quizzes=0), 90)
    with pytest.raises(ValueError):
        logic.is_complete("bogus", watched, 90)


def test_bands_by_length_and_quiz() -> None:
    bands = Bands()
    assert (
        logic.band_hours(video_seconds=30 * 60, has_content=True, passed_quiz=False, bands=bands)
        == 1
    )
    assert logic.band_hours(
        video_seconds=30 * 60 - 1, has_content=True, passed_quiz=False, bands=bands
    ) == Decimal("0.5")
    assert logic.band_hours(
        video_seconds=15 * 60, has_content=True, passed_quiz=False, bands=bands
    ) == Decimal("0.5")
    assert logic.band_hours(
        video_seconds=60, has_content=True, passed_quiz=False, bands=bands
    ) == Decimal("0.25")
    assert logic.band_hours(
        video_seconds=60, has_content=True, passed_quiz=True, bands=bands
    ) == Decimal("0.75")
    assert logic.band_hours(
        video_seconds=0, has_content=True, passed_quiz=True, bands=bands
    ) == Decimal("0.75")
    local = Bands(long_minutes=45, long_hours=Decimal("2"))
    assert logic.band_hours(
        video_seconds=40 * 60, has_content=True, passed_quiz=False, bands=local
    ) == Decimal("0.5")
    assert (
        logic.band_hours(video_seconds=45 * 60, has_content=True, passed_quiz=False, bands=local)
        == 2
    )


def test_progress_percent() -> None:
    assert logic.progress_percent(state(watched_seconds=300), True, False) == 50
    assert logic.progress_percent(state(watched_seconds=600, quizzes_passed=0), True, True) == 50
    assert logic.progress_percent(state(), False, False) == 0
