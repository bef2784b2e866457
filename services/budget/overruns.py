"""When committed plus spent goes over budget: pure arithmetic on integers, no I/O.

A line is over when what is committed on it (signed, not yet paid) plus what is spent on
it exceeds its approved amount by more than the margin; `total` is the same over every
expense line together. A line the budget does not plan has an approved amount of 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TOTAL = "total"
BASIS = 10_000  # basis points in a whole


def is_over(exposure: int, approved: int, margin_bp: int) -> bool:
    """exposure > approved * (1 + margin), in integers: no rounding at the edge."""
    return exposure * BASIS > approved * (BASIS + margin_bp)


def reached(exposure: int, planned: int, percent: int) -> bool:
    """exposure >= percent% of planned, in integers."""
    return exposure * 100 >= planned * percent


def figures(
    planned: Mapping[str, int],
    committed: Mapping[str, int],
    actual: Mapping[str, int],
    watched: Iterable[str],
) -> list[dict[str, Any]]:
    """The figure of each line planned, with spending, or watched (over before), and of
    the total; in a stable order, so that events come out the same on every rebuild."""
    lines = {line for line in (*planned, *committed, *actual) if line != TOTAL}
    lines |= {line for line in watched if line != TOTAL}
    rows = [
        {
            "line": line,
            "approved_minor": planned.get(line, 0),
            "committed_minor": committed.get(line, 0),
            "actual_minor": actual.get(line, 0),
        }
        for line in sorted(lines)
    ]
    rows.append(
        {
            "line": TOTAL,
            "approved_minor": sum(planned.values()),
            "committed_minor": sum(committed.values()),
            "actual_minor": sum(actual.values()),
        }
    )
    return rows


def over(row: Mapping[str, int], margin_bp: int) -> bool:
    exposure = row["committed_minor"] + row["actual_minor"]
    return is_over(exposure, row["approved_minor"], margin_bp)
