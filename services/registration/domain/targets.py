"""Registration targets: which stage a day is in, and whether what is registered then is
under the share of it that warns (RegistrationBelowTarget)."""

from __future__ import annotations

from typing import Any


def current_target(targets: list[dict[str, Any]], today: str) -> dict[str, Any] | None:
    """The latest target whose day has come: an earlier stage is behind it and no longer
    warns (its warning would come too late to act on)."""
    come = [t for t in targets if t["by"] <= today]
    return come[-1] if come else None


def is_below(registered: int, target: int, warn_below_percent: int) -> bool:
    """Under `warn_below_percent` of the target, compared exactly in whole numbers."""
    return registered * 100 < target * warn_below_percent


def key(target: dict[str, Any]) -> str:
    """What identifies a target once checked: its day and its number, so a target set
    again unchanged is not checked twice, and a changed one is."""
    return f"{target['by']}:{target['registered']}"
