"""A stored event described straight from its JSON gives exactly the fields the mapper's
way gives (build_envelope), for every kind of value a store holds; and both describe an
event stored by an older version of its class as it was stored, not upcast."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification, StoredEvent

from services.common.chained_store import _Versions
from services.common.envelope import EVENT_ID_NAMESPACE, build_envelope, event_id_for
from services.common.store import ServiceApplication
from services.common.stored_events import EnvelopeFields, canonical_uuid


class Booking:
    @dataclass(frozen=True)
    class Booked(DomainEvent):
        meta: dict[str, Any]
        amount: Decimal
        reference: uuid.UUID
        confirmed_at: dt.datetime
        rooms: list[Any]
        note: str | None

    @dataclass(frozen=True)
    class Renamed(DomainEvent):
        """Version 2 of its class: `name` was `title`."""

        class_version: ClassVar[int] = 2
        meta: dict[str, Any]
        name: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["name"] = state.pop("title")


class _Reader(ServiceApplication):
    name = "vendors"


@pytest.fixture(scope="module")
def mapper():
    return _Reader(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper


def described_both_ways(mapper, stored: StoredEvent, notification_id: int = 7):
    notification = Notification(
        id=notification_id,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=stored.state,
    )
    fields = EnvelopeFields(mapper, "vendors", _Versions())
    by_mapper = build_envelope(mapper, "vendors", _Versions(), notification, validate=False)
    return fields(notification), by_mapper.to_dict()


META = {"actor": "li", "correlation_id": "r-1", "causation_id": "c-1", "conference_id": "k"}


def booked(meta: dict[str, Any], at: dt.datetime, version: int = 3) -> Booking.Booked:
    """An event holding every kind of value a store transcodes, and text to escape."""
    return Booking.Booked(
        originator_id=uuid.uuid4(),
        originator_version=version,
        timestamp=at,
        meta=meta,
        amount=Decimal("3000000.50"),
        reference=uuid.uuid4(),
        confirmed_at=at,
        rooms=[{"hall": "主会场", "seats": 500, "ids": [uuid.uuid4()]}, 'Ñ\u2028"\\'],
        note=None,
    )


@pytest.mark.parametrize(
    ("meta", "confirmed_at"),
    [
        (META, dt.datetime(2027, 5, 12, 9, 30, tzinfo=dt.UTC)),
        ({**META, "on_behalf_of": "wang.lei"}, dt.datetime(2027, 5, 12, 9, 30, 0, 1, dt.UTC)),
        ({}, dt.datetime(2027, 5, 12, 9, 30)),  # no meta at all; a naive time
        (
            {"actor": None},
            dt.datetime(2027, 5, 12, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
        ({**META, "on_behalf_of": ""}, dt.datetime(2027, 5, 12, tzinfo=dt.UTC)),
    ],
)
def test_every_kind_of_stored_value_is_described_as_the_mapper_describes_it(
    mapper, meta, confirmed_at
):
    event = booked(meta, confirmed_at)  # its time is the envelope's too, turned to UTC

    fields, by_mapper = described_both_ways(mapper, mapper.to_stored_event(event))

    assert fields == by_mapper
    assert fields["payload"]["reference"] == str(event.reference)
    assert fields["payload"]["amount"] == "3000000.50"


def renamed_both_versions(mapper) -> tuple[StoredEvent, StoredEvent]:
    """The same event as version 2 of its class stores it, and as version 1 did."""
    renamed = Booking.Renamed(
        originator_id=uuid.uuid4(),
        originator_version=2,
        timestamp=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        meta=META,
        name="Main hall",
    )
    stored = mapper.to_stored_event(renamed)
    old = mapper.transcoder.decode(stored.state)
    assert old.pop("class_version") == 2
    old["title"] = old.pop("name")  # as version 1 stored it
    stored_v1 = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, mapper.transcoder.encode(old)
    )
    return stored, stored_v1


def test_an_event_stored_by_an_older_class_is_described_as_stored_not_upcast(mapper):
    stored, stored_v1 = renamed_both_versions(mapper)

    fields, by_mapper = described_both_ways(mapper, stored_v1)
    assert fields == by_mapper
    assert fields["payload"] == {"title": "Main hall"}  # as stored: its digest never changes
    assert mapper.to_domain_event(stored_v1).name == "Main hall"  # an aggregate sees it upcast

    fields, by_mapper = described_both_ways(mapper, stored)  # the current version
    assert fields == by_mapper
    assert fields["payload"] == {"name": "Main hall"}  # no `class_version`: not a field


def test_a_compressed_store_describes_events_as_stored_too(mapper):
    from eventsourcing.compressor import ZlibCompressor
    from eventsourcing.persistence import Mapper

    compressed = Mapper(mapper.transcoder, compressor=ZlibCompressor())
    _, stored_v1 = renamed_both_versions(mapper)
    plain = described_both_ways(mapper, stored_v1)[0]
    squeezed = StoredEvent(
        stored_v1.originator_id,
        stored_v1.originator_version,
        stored_v1.topic,
        compressed.compressor.compress(stored_v1.state),
    )

    fields, by_mapper = described_both_ways(compressed, squeezed)

    assert EnvelopeFields(compressed, "vendors", _Versions()).by_mapper_only
    assert fields == by_mapper == plain


def test_sqlite_s_text_originator_ids_and_str_states_give_the_same_fields(mapper):
    event = booked(META, dt.datetime(2027, 1, 1, tzinfo=dt.UTC), version=1)
    stored = mapper.to_stored_event(event)
    fields = EnvelopeFields(mapper, "vendors", _Versions())
    expected, _ = described_both_ways(mapper, stored, notification_id=4)
    for originator in (stored.originator_id.hex, str(stored.originator_id), stored.originator_id):
        for state in (stored.state, stored.state.decode(), memoryview(stored.state)):
            assert fields.row(4, originator, 1, stored.topic, state) == expected


def test_event_ids_and_uuids_are_those_of_the_uuid_module():
    rng = random.Random(8)
    for _ in range(2000):
        aggregate = str(uuid.UUID(int=rng.getrandbits(128)))
        version = rng.randrange(0, 10**9)
        assert event_id_for(aggregate, version) == str(
            uuid.uuid5(EVENT_ID_NAMESPACE, f"{aggregate}:{version}")
        )
        value = uuid.UUID(int=rng.getrandbits(128))
        for form in (value.hex, str(value), value, value.hex.upper(), f"{{{value}}}"):
            assert canonical_uuid(form) == str(value)
