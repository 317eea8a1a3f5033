"""Hooks the exams app offers to the apps above it.

- attempt graded: a listener, registered in `AppConfig.ready()`, is called inside the grading
  transaction with each attempt once it is scored (submitted by the taker or by the timer). The
  learning app credits a 必读书目 book whose quiz is that exam when the attempt passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AttemptListener = Callable[[Any], None]
_attempt_listeners: list[AttemptListener] = []


def register_attempt_graded(listener: AttemptListener) -> None:
    if listener not in _attempt_listeners:
        _attempt_listeners.append(listener)


def attempt_graded(attempt: Any) -> None:
    for listener in _attempt_listeners:
        listener(attempt)
