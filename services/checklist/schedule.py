"""When each entry of a plan is due, and whether the order of the plan can happen. Pure:
dates in, dates and problems out.

A day of the plan is counted in days from the conference's start or end, or from another
entry's due date (`milestone: entry`), or is a day of the calendar (`milestone: date`):
the first such month and day after the conference ends. A profile may have its own
offset (`academic: -300`), for an entry its plan needs earlier.

An entry depends on the entries it names in `after`, and on those whose dates its own
are counted from (its due date's and its window's anchors). No entry may be due before
an entry it depends on, in any profile's plan; a dependency on an entry that is not in
that plan is not in force there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

# Conferences the order is checked on: one day long, and a month long. A due date moves
# with the conference's length by 0 or 1 day per day (start or end), so two entries that
# are in order for the shortest and the longest are in order for every length between.
LENGTHS = (1, 31)
FIRST_DAY = dt.date(2027, 5, 12)  # any day does, but for calendar dates: see probes()


@dataclass(frozen=True)
class Mark:
    """A day counted from a milestone: the conference's `start` or `end`, or the due date
    of another entry (`entry`, with its code as `anchor`)."""

    milestone: str
    offset_days: int
    anchor: str | None = None


class Scheduled(Protocol):
    """What an entry of the template tells about its dates (template.TemplateEntry)."""

    code: str
    milestone: str  # start | end | entry | date
    offset_days: int
    anchor: str | None
    month_day: tuple[int, int] | None
    profile_offsets: tuple[tuple[str, int], ...]
    opens: Mark | None
    after: tuple[str, ...]
    profiles: frozenset[str]


Entries = Mapping[str, Scheduled]
BECAUSE = {
    "after": "it comes after",
    "due.entry": "its due date is counted from",
    "opens.entry": "its window is counted from",
}


# -- dates ----------------------------------------------------------------------------------
def offset_of(entry: Scheduled, profile: str | None) -> int:
    return dict(entry.profile_offsets).get(profile or "", entry.offset_days)


def calendar_day(month: int, day: int, ends_on: dt.date) -> dt.date:
    """The first `month`-`day` after the conference ends."""
    this_year = dt.date(ends_on.year, month, day)
    return this_year if this_year > ends_on else dt.date(ends_on.year + 1, month, day)


def due_on(
    entries: Entries, code: str, starts_on: dt.date, ends_on: dt.date, profile: str | None = None
) -> dt.date:
    entry = entries[code]
    if entry.month_day is not None:
        return calendar_day(*entry.month_day, ends_on)
    mark = Mark(entry.milestone, offset_of(entry, profile), entry.anchor)
    return _counted(entries, mark, starts_on, ends_on, profile)


def opens_on(
    entries: Entries, code: str, starts_on: dt.date, ends_on: dt.date, profile: str | None = None
) -> dt.date | None:
    """The day continuous work opens; None for an entry done once."""
    mark = entries[code].opens
    return None if mark is None else _counted(entries, mark, starts_on, ends_on, profile)


def _counted(
    entries: Entries, mark: Mark, starts_on: dt.date, ends_on: dt.date, profile: str | None
) -> dt.date:
    if mark.milestone == "entry":
        assert mark.anchor is not None
        origin = due_on(entries, mark.anchor, starts_on, ends_on, profile)
    else:
        origin = starts_on if mark.milestone == "start" else ends_on
    return origin + dt.timedelta(days=mark.offset_days)


# -- dependencies -----------------------------------------------------------------------------
def depends_on(entry: Scheduled) -> dict[str, str]:
    """{code: why} of the entries this one depends on: named in `after`, or the anchor of
    its due date (`due.entry`) or of its window (`opens.entry`)."""
    found = {code: "after" for code in entry.after}
    if entry.milestone == "entry" and entry.anchor:
        found.setdefault(entry.anchor, "due.entry")
    if entry.opens is not None and entry.opens.milestone == "entry" and entry.opens.anchor:
        found.setdefault(entry.opens.anchor, "opens.entry")
    return found


def graph_problems(entries: Entries) -> list[str]:
    """Dependencies on no entry or on the entry itself, and cycles: without these, every
    due date can be computed."""
    problems = []
    for entry in entries.values():
        for code, why in depends_on(entry).items():
            if code not in entries:
                problems.append(f"entry {entry.code}: {why}: no entry {code}")
            elif code == entry.code and why == "after":
                problems.append(f"entry {entry.code}: after: an entry cannot come after itself")
    if problems:
        return problems
    cycle = _cycle(entries)
    return [f"entries form a cycle of dependencies: {' → '.join(cycle)}"] if cycle else []


def _cycle(entries: Entries) -> list[str] | None:
    """One cycle of dependencies, as the path that closes it, if there is any."""
    done: set[str] = set()
    for root in entries:
        if root in done:
            continue
        path = [root]
        stack: list[Iterator[str]] = [iter(depends_on(entries[root]))]
        while stack:
            code = next(stack[-1], None)
            if code is None:
                stack.pop()
                done.add(path.pop())
            elif code in path:
                return [*path[path.index(code) :], code]
            elif code not in done:
                path.append(code)
                stack.append(iter(depends_on(entries[code])))
    return None


# -- the order ------------------------------------------------------------------------------
def order_problems(
    entries: Entries, profile: str, starts_on: dt.date, ends_on: dt.date
) -> list[tuple[str, str, str]]:
    """(entry, dependency, why) for each entry of the profile's plan due before an entry it
    depends on, or whose window opens after it is due, for a conference of these dates."""
    planned = {code: e for code, e in entries.items() if profile in e.profiles}
    due = {code: due_on(entries, code, starts_on, ends_on, profile) for code in planned}
    problems = []
    for code, entry in planned.items():
        for other, why in depends_on(entry).items():
            if other in planned and due[code] < due[other]:
                problems.append(
                    (
                        code,
                        other,
                        f"is due {due[code]}, before entry {other} {BECAUSE[why]} "
                        f"(due {due[other]})",
                    )
                )
        opens = opens_on(entries, code, starts_on, ends_on, profile)
        if opens is not None and opens > due[code]:
            problems.append((code, "opens", f"opens {opens}, after it is due {due[code]}"))
    return problems


def probes(entries: Entries) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of the conferences the order is checked on: one day and a month long;
    and, for each calendar date of the template, ending on that day (the date is then a
    year after the end, its latest) and the day before (the day after the end, its
    earliest)."""
    ends = [FIRST_DAY]
    for month, day in sorted({e.month_day for e in entries.values() if e.month_day}):
        last = dt.date(FIRST_DAY.year, month, day)
        ends += [last, last - dt.timedelta(days=1)]
    return [(end - dt.timedelta(days=days - 1), end) for end in ends for days in LENGTHS]


def problems(entries: Entries, profiles: Iterable[str]) -> list[str]:
    """Every reason the schedule cannot happen, each naming its entries: none when it can."""
    found = graph_problems(entries)
    if found:
        return found
    reported: dict[tuple[str, str], str] = {}
    for profile in profiles:
        for starts_on, ends_on in probes(entries):
            days = (ends_on - starts_on).days + 1
            conference = f"{profile} plan, a {days}-day conference from {starts_on}"
            for code, other, why in order_problems(entries, profile, starts_on, ends_on):
                reported.setdefault((code, other), f"entry {code} {why} ({conference})")
    return list(reported.values())
