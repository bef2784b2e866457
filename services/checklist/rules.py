"""Automatic verification rules, indexed by event type so matching cost does not grow
with the template. Pure functions: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventRule:
    """Verified by an event `service.EventType` whose payload has the `where` values;
    undone by any of the `compensated_by` events of the same aggregate."""

    event: str
    where: tuple[tuple[str, Any], ...] = ()
    compensated_by: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventRule:
        return cls(
            event=data["event"],
            where=tuple(sorted((data.get("where") or {}).items())),
            compensated_by=tuple(data.get("compensated_by") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "where": dict(self.where),
            "compensated_by": list(self.compensated_by),
        }

    def matches(self, payload: Mapping[str, Any]) -> bool:
        return all(payload.get(key) == value for key, value in self.where)


class RuleIndex:
    """event key ("vendors.ContractSigned") -> the entry codes it may verify or re-open."""

    def __init__(self, rules: Iterable[tuple[str, EventRule]]) -> None:
        self._verifying: dict[str, list[tuple[str, EventRule]]] = defaultdict(list)
        self._compensating: dict[str, list[str]] = defaultdict(list)
        for code, rule in rules:
            self._verifying[rule.event].append((code, rule))
            for key in rule.compensated_by:
                self._compensating[key].append(code)

    def verified_by(self, key: str, payload: Mapping[str, Any]) -> list[str]:
        return [code for code, rule in self._verifying.get(key, ()) if rule.matches(payload)]

    def reopened_by(self, key: str) -> list[str]:
        return list(self._compensating.get(key, ()))

    @property
    def event_keys(self) -> set[str]:
        return set(self._verifying) | set(self._compensating)
