"""A write larger than the socket's buffers, on a PostgreSQL store: stored whole, chained,
all or nothing, with its tracking record. psycopg's pipeline left the tail of such an
INSERT unsent and waited for its reply for ever (chained_store.PIPELINE_MAX_BYTES); these
run each write in a thread so that a hang fails the test instead of the suite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, Tracking

from services.common.chain import ChainCheck
from services.common.config import Settings
from services.common.store import ChangedMeanwhile, ServiceApplication
from tests.support.database import DATABASE_URL, PostgresSchemas

# Far past the loopback buffers (4 MiB to send and 32 MiB to receive at most, here):
# the size at which the pipelined write hung every time.
NOTES, TEXT = 1500, "备忘" * 5000  # 1,500 events of 30 KB: 45 MB
HANG = 300  # seconds: a write this size takes a few; one not done by then never will


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Amended")
    def amend(self, text: str) -> None:
        self.text = text


class Notes(ServiceApplication):
    name = "notes"


@pytest.fixture
def notes():
    schemas = PostgresSchemas(services=[Notes.name])
    app = Notes.open(Settings(database_url=DATABASE_URL, schema_prefix=schemas.prefix))
    app.prefix = schemas.prefix
    yield app
    app.close()
    schemas.drop()


def finished(app: Notes, write: Callable[[], Any]) -> Any:
    """What `write` returned or raised, once it has returned. A write still hanging has its
    server session ended, so that the test fails and closing the store does not wait."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = write()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    if thread.is_alive():
        for _ in range(30):  # the library retries a write whose connection broke
            if not thread.is_alive():
                break
            with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND query LIKE %s",
                    [f'%"{app.prefix}%'],
                )
            thread.join(2)
        pytest.fail(f"a write of {NOTES} events still hung after {HANG} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def chain_break(app: Notes) -> Any:
    records = app.recorder.select_notifications(start=1, limit=10 * NOTES)
    check = ChainCheck(app.name)
    described = [app.recorder.describe(n) for n in records]
    return check.check(described, app.recorder.links(1, records[-1].id)), check.checked


def test_a_write_past_the_socket_buffers_is_stored_whole_and_chained(notes):
    many = [Note(f"{i} {TEXT}") for i in range(NOTES)]
    assert sum(len(n.text.encode()) for n in many) > 40 * 1024 * 1024

    finished(notes, lambda: notes.save(*many))

    assert notes.max_notification_id() == NOTES
    assert notes.repository.get(many[-1].id).text == many[-1].text
    broken, checked = chain_break(notes)
    assert broken is None and checked == NOTES
    small = Note("a small write after it still goes through the pipeline")
    notes.save(small)
    assert notes.max_notification_id() == NOTES + 1
    assert chain_break(notes) == (None, NOTES + 1)


def test_a_large_write_that_conflicts_stores_nothing(notes):
    first = Note("first")
    notes.save(first)
    stale = notes.repository.get(first.id)
    first.amend("amended")
    notes.save(first)
    stale.amend("amended by someone who had not seen the first amendment")
    many = [Note(f"{i} {TEXT}") for i in range(NOTES)]

    with pytest.raises(ChangedMeanwhile):
        finished(notes, lambda: notes.save(*many, stale))

    assert notes.max_notification_id() == 2
    assert notes.recorder.links(1, 10 * NOTES)[-1].notification_id == 2
    assert chain_break(notes) == (None, 2)


def stored_notes(app: Notes) -> list[Any]:
    many = [Note(f"{i} {TEXT}") for i in range(NOTES)]
    return [app.mapper.to_stored_event(e) for n in many for e in n.collect_events()]


def upstream(position: int) -> Tracking:
    return Tracking("upstream", position)


def test_a_large_write_keeps_its_tracking_record(notes):
    stored = stored_notes(notes)

    ids = finished(
        notes, lambda: notes.recorder.insert_events(stored, tracking=Tracking("upstream", 41))
    )

    assert list(ids) == list(range(1, NOTES + 1))
    assert notes.recorder.max_tracking_id("upstream") == 41
    again = stored_notes(notes)  # other events, from the position already processed
    with pytest.raises(IntegrityError):
        finished(
            notes, lambda: notes.recorder.insert_events(again, tracking=Tracking("upstream", 41))
        )
    assert notes.max_notification_id() == NOTES
    assert chain_break(notes) == (None, NOTES)
