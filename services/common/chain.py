"""The hash chain over a service's stored events: tamper evidence (docs/audit.md).

Each stored event, at its notification id, has a digest of its envelope (the event as it is
published and as reporting's trail and its exports hold it: `canonical`) and a link:
sha256 of the previous link and the digest. An exported event can so be checked offline,
from its own fields and the link before it (examples/verify_export.py). The links
are written in the same transaction as the events (chained_store.py), so an edit, a
deletion, an insertion or a swap of stored events no longer matches the chain; and a
rewrite of events and chain together no longer matches the copy of the links that
reporting keeps as it consumes.

Pure: no I/O. `verify` compares what a store holds with its chain, and the chain with
another copy of it, and says where it first breaks and how.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = "0" * 64  # the link before the first event
FORMAT = b"huiwu-chain-v1\n"


# What a digest covers: every field of an event's envelope but its link.
FIELDS = (
    "event_id",
    "event_type",
    "service",
    "notification_id",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "conference_id",
    "occurred_at",
    "actor",
    "correlation_id",
    "causation_id",
    "schema_version",
    "payload",
    "on_behalf_of",
)

Record = Mapping[str, Any]
"""An event as its envelope's fields (a dict): from a store, or from an export."""


@dataclass(frozen=True)
class Link:
    """One row of a chain: the digest of the record at `notification_id`, and the link."""

    notification_id: int
    digest: str
    link: str


def canonical(record: Record) -> bytes:
    """The bytes a digest covers: the event's fields as JSON, keys sorted, no spaces.

    orjson writes exactly json's bytes for these (tests/unit/test_chain.py compares them
    on random values) but floats, which it spells its own way, and integers past 64
    bits, which it refuses: json writes those. It is several times faster, and every
    write, verification and rebuild digests every event."""
    fields = {name: record.get(name) for name in FIELDS}
    if not _has_float(fields["payload"]):
        try:
            return orjson.dumps(fields, option=_ORJSON)
        except TypeError:  # an integer past 64 bits (orjson.JSONEncodeError)
            pass
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# Whatever json would not take (a datetime, a dataclass, a subclass of str) goes to json.
_ORJSON = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _has_float(value: Any) -> bool:
    """Whether a float is anywhere in `value` (without recursion: this runs per event)."""
    todo: list[Iterable[Any]] = [(value,)]
    while todo:
        for item in todo.pop():
            kind = type(item)
            if kind is float:
                return True
            if kind is dict:
                todo.append(item.values())
            elif kind is list or kind is tuple:
                todo.append(item)
    return False


def digest(record: Record) -> str:
    return hashlib.sha256(FORMAT + canonical(record)).hexdigest()


def link(previous: str, record_digest: str) -> str:
    return hashlib.sha256(f"{previous}\n{record_digest}".encode()).hexdigest()


def extend(previous: str, records: Iterable[Record]) -> Iterator[Link]:
    """The links of `records` (in notification order), after the link `previous`."""
    for record in records:
        record_digest = digest(record)
        previous = link(previous, record_digest)
        yield Link(record["notification_id"], record_digest, previous)


@dataclass(frozen=True)
class Break:
    """Where a history first stops matching its chain (or a copy of it), and how."""

    service: str
    notification_id: int
    kind: str  # changed | missing | inserted | reordered
    detail: str

    def describe(self) -> str:
        return f"{self.service}: #{self.notification_id} {self.kind}: {self.detail}"


class ChainCheck:
    """Walks a store's records and its chain rows in notification order (both ascending),
    page after page, remembering only the last link: memory stays flat."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.previous = GENESIS
        self.checked = 0
        self.broken: Break | None = None

    def check(self, records: list[Record], links: list[Link]) -> Break | None:
        """Check one page: the records and the chain rows of the same id range."""
        if self.broken is not None:
            return self.broken
        by_id = {row.notification_id: row for row in links}
        digests = {r["notification_id"]: digest(r) for r in records}
        ids = sorted(set(by_id) | set(digests))
        records_by_id = {r["notification_id"]: r for r in records}
        for notification_id in ids:
            row, found = by_id.get(notification_id), digests.get(notification_id)
            if row is None:
                return self._break(
                    notification_id, "inserted", "a stored event the chain does not hold"
                )
            if found is None:
                return self._break(
                    notification_id, "missing", "the chain holds an event the store does not"
                )
            if found != row.digest:
                elsewhere = _chained_elsewhere(records_by_id[notification_id], links)
                if elsewhere is not None:
                    return self._break(
                        notification_id,
                        "reordered",
                        f"the event stored here was chained at #{elsewhere}",
                    )
                return self._break(
                    notification_id, "changed", "the stored event differs from what was chained"
                )
            if link(self.previous, row.digest) != row.link:
                return self._break(
                    notification_id, "changed", "the chain's link does not follow from the last"
                )
            self.previous = row.link
            self.checked += 1
        return None

    def _break(self, notification_id: int, kind: str, detail: str) -> Break:
        self.broken = Break(self.service, notification_id, kind, detail)
        return self.broken


def _chained_elsewhere(record: Record, links: list[Link]) -> int | None:
    """The position of the page where this record's content was chained, if another."""
    for row in links:
        moved = {**record, "notification_id": row.notification_id}
        if row.notification_id != record["notification_id"] and digest(moved) == row.digest:
            return row.notification_id
    return None


def compare_copies(
    service: str, links: Iterable[tuple[int, str]], copy: Iterable[tuple[int, str]]
) -> Break | None:
    """The service's links beside another copy of them (reporting's), both ascending by
    id; the copy may stop earlier (it has not consumed the newest yet)."""
    own = iter(links)
    theirs = iter(copy)
    mine = next(own, None)
    for notification_id, copied in theirs:
        while mine is not None and mine[0] < notification_id:
            mine = next(own, None)  # an event the copy has not got: judged by the chain
            # (a copy that skipped an id it should have would show as `missing` below)
        if mine is None or mine[0] != notification_id:
            return Break(
                service,
                notification_id,
                "missing",
                "reporting's copy holds a link the service's chain does not",
            )
        if mine[1] != copied:
            return Break(
                service,
                notification_id,
                "changed",
                "the service's link differs from reporting's copy of it",
            )
        mine = next(own, None)
    return None
