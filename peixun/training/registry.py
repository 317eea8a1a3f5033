"""What the apps above training add to a class's closing checklist.

A check takes the class and answers None when it is satisfied, or a sentence saying what is
missing (shown on the closing page and refused by `class_close`). The surveys app registers
"the class's evaluation has been run" when the tenant's settings ask for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# function(training class) -> None when satisfied, else what is missing (translated).
ClosingCheck = Callable[[Any], "str | None"]
_closing_checks: dict[str, ClosingCheck] = {}


def register_closing_check(name: str, check: ClosingCheck) -> None:
    _closing_checks[name] = check


def closing_blockers(training_class: Any) -> list[str]:
    """What the registered checks say is still missing before the class may close."""
    missing: list[str] = []
    for check in _closing_checks.values():
        if (sentence := check(training_class)) is not None:
            missing.append(sentence)
    return missing
