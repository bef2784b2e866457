"""Automatic verification rules, indexed by event key so that the cost of an event does not
grow with the template. Pure: no I/O.

Three shapes (see templates/README.md):

- `EventRule`: one matching event verifies; a compensating event of the same aggregate
  withdraws its proof.
- `CountRule`: at least N distinct aggregates had the event; a compensating event
  removes its aggregate from the count.
- `ForAllRule`: at least one aggregate had the `for_all` event, and every one of them
  (less those removed by a `removed_by` event, which `removed_where` may filter) also had
  the `require` event (which `require_where` may filter, and `pair_by` may pair with it
  by a payload field, from another aggregate or service);
  an `undone_by` event of a member takes its completion back until it has the `require`
  event again (a refund asked on an order reconciled).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# What an event does to the entries whose rule listens to it.
ADD = "add"  # a member (or, for EventRule, a proof) joins
REMOVE = "remove"  # the member of that aggregate leaves
DONE = "done"  # the member of that aggregate completed what a for-all rule requires
UNDONE = "undone"  # the member of that aggregate must complete it again


OPERATORS = ("in", "all", "!=", ">=", "<=")
LISTED = ("in", "all")  # operators whose operand is a list


@dataclass(frozen=True)
class Compare:
    """A condition other than equality on one payload field: `{in: [a, b]}` (one of them),
    `{all: [a, b]}` (a list field holding every one), `{"!=": x}`, `{">=": n}`, `{"<=": n}`.
    A field that is absent (or null) never holds."""

    op: str
    value: Any  # a tuple for `in`

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> Compare:
        ((op, operand),) = value.items()
        return cls(op, tuple(operand) if op in LISTED else operand)

    def holds(self, actual: Any) -> bool:
        if actual is None:
            return False
        if self.op == "in":
            return actual in self.value
        if self.op == "all":
            return isinstance(actual, list) and all(v in actual for v in self.value)
        if self.op == "!=":
            return actual != self.value
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False  # an order holds between numbers only
        return actual >= self.value if self.op == ">=" else actual <= self.value

    def to_value(self) -> dict[str, Any]:
        return {self.op: list(self.value) if self.op in LISTED else self.value}

    def __str__(self) -> str:
        if self.op == "in":
            return "in " + "|".join(str(v) for v in self.value)
        if self.op == "all":
            return "has " + "+".join(str(v) for v in self.value)
        if self.op == "!=" and self.value is None:
            return "given"  # {"!=": null}: the field is present
        return f"{self.op} {self.value}"


Where = tuple[tuple[str, Any], ...]  # (field, value or Compare), sorted by field


def _where(data: Mapping[str, Any], name: str = "where") -> Where:
    return tuple(
        sorted(
            (key, Compare.from_value(value) if isinstance(value, Mapping) else value)
            for key, value in (data.get(name) or {}).items()
        )
    )


def _where_dict(where: Where) -> dict[str, Any]:
    """The YAML form again."""
    return {key: v.to_value() if isinstance(v, Compare) else v for key, v in where}


def _matches(where: Where, payload: Mapping[str, Any]) -> bool:
    """Every condition holds. A plain value is equality, and a list field holds when it
    contains the value; a `Compare` holds of the field's value, or of any of a list's
    (`all` holds of the list itself)."""
    for key, expected in where:
        actual = payload.get(key)
        if isinstance(expected, Compare) and expected.op == "all":
            if not expected.holds(list(actual) if isinstance(actual, (list, tuple)) else None):
                return False
        elif isinstance(expected, Compare):
            values = actual if isinstance(actual, (list, tuple)) else (actual,)
            if not any(expected.holds(value) for value in values):
                return False
        elif isinstance(actual, (list, tuple)):
            if expected not in actual:
                return False
        elif actual != expected:
            return False
    return True


def describe_where(where: Mapping[str, Any]) -> str:
    """`category=venue, amount_minor >= 100000`, from the YAML form."""
    parts = []
    for key, value in sorted(where.items()):
        if isinstance(value, Mapping):
            parts.append(f"{key} {Compare.from_value(value)}")
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


class _Listening:
    """What every rule shape shares: its `where` conditions and the keys it listens to.

    `holds` and `percent` say, from the members an entry gathered (distinct aggregates
    that had the rule's event), how many of them are done, and the entry's target, whether
    the rule proves the entry and how far it is. A single-event rule keeps no members:
    each matching event is a proof of its own (`per_event`).
    """

    where: Where
    per_event = False

    def matches(self, payload: Mapping[str, Any]) -> bool:
        return _matches(self.where, payload)

    def concerns(self, role: str, payload: Mapping[str, Any]) -> bool:
        """Whether an event in `role` changes the entry: an addition only if `where`
        holds; a removal always."""
        return role != ADD or self.matches(payload)

    def member(self, role: str, aggregate_id: str, payload: Mapping[str, Any]) -> str:
        """Whom an event in `role` concerns among the entry's members: its aggregate."""
        return aggregate_id

    def holds(self, members: int, done: int, target: int) -> bool:
        return members >= 1

    def percent(self, members: int, done: int, target: int) -> int:
        return 100 if members else 0

    def event_keys(self) -> set[str]:
        return {key for key, _ in self.roles()}

    def roles(self) -> Iterable[tuple[str, str]]:
        raise NotImplementedError


@dataclass(frozen=True)
class EventRule(_Listening):
    event: str
    where: Where = ()
    compensated_by: tuple[str, ...] = ()
    kind = "event"
    per_event = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventRule:
        return cls(data["event"], _where(data), tuple(data.get("compensated_by") or ()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "where": _where_dict(self.where),
            "compensated_by": list(self.compensated_by),
        }

    def roles(self) -> Iterable[tuple[str, str]]:
        yield self.event, ADD
        for key in self.compensated_by:
            yield key, REMOVE


@dataclass(frozen=True)
class Target:
    """A fixed number, a share of a conference figure such as expected attendance, or
    either of them taken from a conference's settings (`setting`: the number, or with
    `ratio_of`, the share)."""

    at_least: int | None = None
    ratio_of: str | None = None
    ratio: float | None = None
    setting: str | None = None

    @classmethod
    def from_value(cls, value: Any) -> Target:
        if not isinstance(value, Mapping):
            return cls(at_least=int(value))
        ratio = value.get("ratio")
        return cls(
            ratio_of=value.get("ratio_of"),
            ratio=None if ratio is None else float(ratio),
            setting=value.get("setting"),
        )

    def resolve(
        self, conference: Mapping[str, Any], settings: Mapping[str, Any] | None = None
    ) -> int:
        """The number of members the rule needs for this conference: its figures
        (`expected_attendance`) and its settings' values."""
        if self.at_least is not None:
            return self.at_least
        value = None if self.setting is None else (settings or {})[self.setting]
        if self.ratio_of is None:
            return max(1, int(value))
        ratio = self.ratio if value is None else value
        share = round(conference[self.ratio_of] * ratio, 6)  # 500 * 0.8 is 400, not 400.0…1
        return max(1, math.ceil(share))

    def to_value(self) -> Any:
        if self.at_least is not None:
            return self.at_least
        value: dict[str, Any] = {}
        if self.ratio_of is not None:
            value["ratio_of"] = self.ratio_of
        if self.ratio is not None:
            value["ratio"] = self.ratio
        if self.setting is not None:
            value["setting"] = self.setting
        return value


@dataclass(frozen=True)
class CountRule(_Listening):
    event: str
    target: Target
    where: Where = ()
    compensated_by: tuple[str, ...] = ()
    kind = "count"

    def holds(self, members: int, done: int, target: int) -> bool:
        return members >= target

    def percent(self, members: int, done: int, target: int) -> int:
        return min(100, members * 100 // max(target, 1))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CountRule:
        return cls(
            data["count"],
            Target.from_value(data["at_least"]),
            _where(data),
            tuple(data.get("compensated_by") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.event,
            "where": _where_dict(self.where),
            "at_least": self.target.to_value(),
            "compensated_by": list(self.compensated_by),
        }

    def roles(self) -> Iterable[tuple[str, str]]:
        yield self.event, ADD
        for key in self.compensated_by:
            yield key, REMOVE


@dataclass(frozen=True)
class ForAllRule(_Listening):
    event: str
    require: str
    where: Where = ()
    removed_by: tuple[str, ...] = ()
    require_where: Where = ()  # which of the `require` events count
    pair_by: str | None = None  # the required event's field naming the member it completes
    undone_by: tuple[str, ...] = ()  # events of a member that take its completion back
    removed_where: Where = ()  # which of the `removed_by` events remove (a whole reversal)
    kind = "for_all"

    def concerns(self, role: str, payload: Mapping[str, Any]) -> bool:
        if role == REMOVE:
            return _matches(self.removed_where, payload)
        if role == DONE:
            paired = self.pair_by is None or payload.get(self.pair_by) is not None
            return paired and _matches(self.require_where, payload)
        return super().concerns(role, payload)

    def member(self, role: str, aggregate_id: str, payload: Mapping[str, Any]) -> str:
        """A required event of another aggregate (a payment of a contract, a check-in of
        a speaker) completes the member its `pair_by` field names."""
        if role == DONE and self.pair_by is not None:
            return str(payload[self.pair_by])
        return aggregate_id

    def holds(self, members: int, done: int, target: int) -> bool:
        return members >= 1 and done >= members

    def percent(self, members: int, done: int, target: int) -> int:
        return done * 100 // members if members else 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ForAllRule:
        return cls(
            data["for_all"],
            data["require"],
            _where(data),
            tuple(data.get("removed_by") or ()),
            _where(data, "require_where"),
            data.get("pair_by"),
            tuple(data.get("undone_by") or ()),
            _where(data, "removed_where"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "for_all": self.event,
            "where": _where_dict(self.where),
            "removed_by": list(self.removed_by),
            **({"removed_where": _where_dict(self.removed_where)} if self.removed_where else {}),
            "require": self.require,
            **({"require_where": _where_dict(self.require_where)} if self.require_where else {}),
            **({"pair_by": self.pair_by} if self.pair_by else {}),
            **({"undone_by": list(self.undone_by)} if self.undone_by else {}),
        }

    def roles(self) -> Iterable[tuple[str, str]]:
        yield self.event, ADD
        for key in self.removed_by:
            yield key, REMOVE
        yield self.require, DONE
        for key in self.undone_by:
            yield key, UNDONE


Rule = EventRule | CountRule | ForAllRule


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    if "count" in data:
        return CountRule.from_dict(data)
    if "for_all" in data:
        return ForAllRule.from_dict(data)
    return EventRule.from_dict(data)


class RuleIndex:
    """event key ("vendors.ContractSigned") -> the (entry code, rule, role) it concerns."""

    def __init__(self, rules: Iterable[tuple[str, Rule]]) -> None:
        self._by_key: dict[str, list[tuple[str, Rule, str]]] = defaultdict(list)
        for code, rule in rules:
            for key, role in rule.roles():
                self._by_key[key].append((code, rule, role))

    def touched(
        self, key: str, aggregate_id: str, payload: Mapping[str, Any]
    ) -> list[tuple[str, str, str]]:
        """(code, role, member) of every entry this event changes: `concerned`, with the
        member each change is of (`pair_by` may name another aggregate than the event's)."""
        return [
            (code, role, rule.member(role, aggregate_id, payload))
            for code, rule, role in self._by_key.get(key, ())
            if rule.concerns(role, payload)
        ]

    def concerned(self, key: str, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(code, role) of every entry this event changes: `where` applies to additions,
        `require_where` to a for-all rule's required event."""
        return [
            (code, role)
            for code, rule, role in self._by_key.get(key, ())
            if rule.concerns(role, payload)
        ]

    def verified_by(self, key: str, payload: Mapping[str, Any]) -> list[str]:
        return [code for code, role in self.concerned(key, payload) if role == ADD]

    def reopened_by(self, key: str) -> list[str]:
        """The entries this event may re-open: it removes a member, or takes a member's
        completion back."""
        return [code for code, _, role in self._by_key.get(key, ()) if role in (REMOVE, UNDONE)]

    @property
    def event_keys(self) -> set[str]:
        return set(self._by_key)
