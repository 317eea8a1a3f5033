"""Pure rules of training, with no database, request or I/O."""

from __future__ import annotations

from decimal import Decimal


def over_leave_limit(leave: Decimal, total: Decimal, denominator: int) -> bool:
    """Leave above 1/N of the class's hours, compared exactly: leave × N > total."""
    return total > 0 and leave * denominator > total
