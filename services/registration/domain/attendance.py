"""The attendance figures of a conference: compiled on request from its attendees and
their check-ins, by category and day, each compilation an aggregate of its own. Figures
compiled once the conference is over may be `final` (24.2.1); those of a day, for its
wrap-up, are not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict


@dataclass(frozen=True)
class Attending:
    """An attendee still registered, and the days they checked in."""

    attendee_id: str
    category: str
    days: tuple[str, ...]


def figures(attendees: Iterable[Attending]) -> dict[str, Any]:
    """Checked in by day and category, how many are registered, how many came at all."""
    by_day: Counter[tuple[str, str]] = Counter()
    registered = attended = 0
    for person in attendees:
        registered += 1
        attended += bool(person.days)
        for day in set(person.days):
            by_day[(day, person.category)] += 1
    rows = [
        {"day": day, "category": category, "checked_in": n}
        for (day, category), n in sorted(by_day.items())
    ]
    return {"figures": rows, "registered": registered, "attended": attended}


class AttendanceFigures(Aggregate):
    """One compilation of the figures: a document, never changed after."""

    class AttendanceFiguresCompiled(Aggregate.Created):
        figures: list[dict[str, Any]]
        registered: int
        attended: int
        final: bool
        meta: dict[str, Any]

    @classmethod
    def compile(
        cls, figures_id: Any, compiled: dict[str, Any], final: bool, over: bool, meta: dict
    ) -> AttendanceFigures:
        if final and not over:
            raise Conflict(
                "the conference is not over: figures compiled now can only be a day's",
                field="final",
            )
        if not compiled["figures"]:
            raise Conflict("nobody has checked in yet: there are no figures to compile")
        return cls._create(
            cls.AttendanceFiguresCompiled, id=figures_id, **compiled, final=final, meta=meta
        )

    @event(AttendanceFiguresCompiled)
    def __init__(
        self,
        figures: list[dict[str, Any]],
        registered: int,
        attended: int,
        final: bool,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.figures = [dict(f) for f in figures]
        self.registered = registered
        self.attended = attended
        self.final = final
