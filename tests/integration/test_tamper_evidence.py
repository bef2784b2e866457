"""Tamper evidence: each service chains its stored events, reporting keeps a copy of each
chain, and `huiwu audit verify` finds and locates every kind of edit, on both stores.

One history per store (vendors' #1 VendorAdded, #2 ContractDrafted, #3 ContractSigned,
each in reporting's trail with its link); each case edits vendors' store as someone with
access to the database would, verifies, and puts the store back as it was.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

from services.common import chain
from services.common.chained_store import CHAIN_TABLE, notification
from services.common.config import Settings
from services.common.database import Database
from services.reporting import verification
from services.reporting.verification import events_table
from tests.support.slice import ok, signed_venue_contract
from tests.support.system import wait_until

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}


class VendorsStore:
    """vendors' stored events and chain, edited directly (the service is stopped)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings, "vendors", schema=settings.schema_for("vendors"), owner=False)
        self.id = "notification_id" if self.db.is_postgres else "rowid"
        self.events = events_table(self.db, "vendors")

    def rows(self) -> list[tuple]:
        with self.db.transaction() as cur:
            return cur.execute(
                f"SELECT {self.id}, originator_id, originator_version, topic, state FROM {{t}} "
                f"ORDER BY {self.id}",
                t=self.events,
            ).fetchall()

    def links(self) -> list[tuple]:
        with self.db.transaction() as cur:
            return cur.execute(
                "SELECT notification_id, digest, link FROM {t} ORDER BY notification_id",
                t=CHAIN_TABLE,
            ).fetchall()

    def state(self, notification_id: int) -> dict:
        row = next(r for r in self.rows() if r[0] == notification_id)
        return json.loads(bytes(row[4]))

    def set_state(self, notification_id: int, state: dict) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {{t}} SET state = {{p}} WHERE {self.id} = {{p}}",
                [json.dumps(state).encode(), notification_id],
                t=self.events,
            )

    def delete(self, notification_id: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {{t}} WHERE {self.id} = {{p}}", [notification_id], t=self.events
            )

    def put_back(self, rows: list[tuple], links: list[tuple]) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t}", t=self.events)
            cur.execute("DELETE FROM {t}", t=CHAIN_TABLE)
            for row in rows:
                cur.execute(
                    f"INSERT INTO {{t}} ({self.id}, originator_id, originator_version, topic, "
                    "state) VALUES ({p}, {p}, {p}, {p}, {p})",
                    list(row),
                    t=self.events,
                )
            for link in links:
                cur.execute(
                    "INSERT INTO {t} (notification_id, digest, link) VALUES ({p}, {p}, {p})",
                    list(link),
                    t=CHAIN_TABLE,
                )

    def rechain(self) -> None:
        """Make the chain agree with the events again, as a careful forger would."""
        describe = verification.describer_of(self.settings, "vendors")
        records = [describe(notification(*row)) for row in self.rows()]
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t}", t=CHAIN_TABLE)
            for link in chain.extend(chain.GENESIS, records):
                cur.execute(
                    "INSERT INTO {t} (notification_id, digest, link) VALUES ({p}, {p}, {p})",
                    [link.notification_id, link.digest, link.link],
                    t=CHAIN_TABLE,
                )


def change_payload(store: VendorsStore) -> None:
    state = store.state(2)
    state["category"] = "catering"
    store.set_state(2, state)


def change_timestamp(store: VendorsStore) -> None:
    state = store.state(2)
    stamp = state["timestamp"]  # transcoded: {"_type_": "datetime_iso", "_data_": "..."}
    stamp["_data_"] = stamp["_data_"].replace("20", "19", 1)
    store.set_state(2, state)


def delete_one(store: VendorsStore) -> None:
    store.delete(2)


def insert_one(store: VendorsStore) -> None:
    _, originator, version, topic, state = store.rows()[-1]
    with store.db.transaction() as cur:
        cur.execute(
            "INSERT INTO {t} (originator_id, originator_version, topic, state) "
            "VALUES ({p}, {p}, {p}, {p})",
            [originator, version + 1, topic, state],
            t=store.events,
        )


def swap_two(store: VendorsStore) -> None:
    first, second = store.rows()[0:2]
    with store.db.transaction() as cur:
        for target, source in ((first, second), (second, first)):
            cur.execute(
                f"UPDATE {{t}} SET originator_id = {{p}}, originator_version = {{p}}, "
                f"topic = {{p}}, state = {{p}} WHERE {store.id} = {{p}}",
                [
                    _placeholder_id(source[1], target[0]),
                    source[2],
                    source[3],
                    source[4],
                    target[0],
                ],
                t=store.events,
            )
    with store.db.transaction() as cur:  # the real ids, now that neither clashes
        for target, source in ((first, second), (second, first)):
            cur.execute(
                f"UPDATE {{t}} SET originator_id = {{p}} WHERE {store.id} = {{p}}",
                [source[1], target[0]],
                t=store.events,
            )


def _placeholder_id(originator, position):
    """A free originator id for a moment ((id, version) is the primary key)."""
    import uuid

    text = str(uuid.UUID(int=position))
    return uuid.UUID(text) if isinstance(originator, uuid.UUID) else uuid.UUID(text).hex


def rewrite_with_chain(store: VendorsStore) -> None:
    change_payload(store)
    store.rechain()


CASES = [
    (change_payload, 2, "changed"),
    (change_timestamp, 2, "changed"),
    (delete_one, 2, "missing"),
    (insert_one, 4, "inserted"),
    (swap_two, 1, "reordered"),
    (rewrite_with_chain, 2, "changed"),  # caught only against reporting's copy
]


def test_every_edit_of_a_store_is_found_and_located(system, monkeypatch):
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    signed_venue_contract(system)
    reporting = system["reporting"]
    wait_until(
        lambda: (
            len([e for e in ok(reporting.get("/audit"))["events"] if e["service"] == "vendors"])
            == 3
        )
    )
    trail = [e for e in ok(reporting.get("/audit"))["events"] if e["service"] == "vendors"]
    assert all(len(e["chain_link"]) == 64 for e in trail)  # reporting's copy
    system.stop_all()
    settings = Settings.from_env(system.env())
    store = VendorsStore(settings)
    rows, links = store.rows(), store.links()
    assert [r[0] for r in rows] == [1, 2, 3] == [link[0] for link in links]
    assert [e["chain_link"] for e in trail] == [link[2] for link in links]

    untouched = verification.verify(settings, ["vendors", "checklist", "reporting"])
    assert untouched.ok, [b.describe() for b in untouched.broken]
    assert {r.service: r.events for r in untouched.results}["vendors"] == 3
    assert untouched.results[0].copied == 3

    # A history longer than a page is read in pages; one longer than a piece, in pieces.
    for page, chunk in ((verification.PAGE, verification.CHUNK), (2, verification.CHUNK), (2, 2)):
        monkeypatch.setattr(verification, "PAGE", page)
        monkeypatch.setattr(verification, "CHUNK", chunk)
        assert verification.verify(settings, ["vendors"]).ok
        found, expected = {}, {}
        for tamper, position, kind in CASES:
            tamper(store)
            if tamper is insert_one:  # PostgreSQL's sequence has moved on past #4 by now
                position = store.rows()[-1][0]
            expected[tamper.__name__] = ("vendors", position, kind)
            result = verification.verify(settings, ["vendors"])
            (broken,) = result.broken
            found[tamper.__name__] = (broken.service, broken.notification_id, broken.kind)
            store.put_back(rows, links)
            assert verification.verify(settings, ["vendors"]).ok  # as it was
        assert found == expected, (page, chunk)
    monkeypatch.setattr(verification, "CHUNK", 2)  # two pieces, checked by two processes
    assert verification.verify(settings, ["vendors"], workers=2).ok
    swap_two(store)
    (broken,) = verification.verify(settings, ["vendors"], workers=2).broken
    assert (broken.notification_id, broken.kind) == (1, "reordered")
    store.put_back(rows, links)
    monkeypatch.undo()

    # The command line: exit 1 naming the service and the place; the alert's gauges.
    change_payload(store)
    token = system.token("audrey", "auditor")
    run = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", "audit", "verify"],
        env={**system.env(), "HUIWU_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "BROKEN vendors: #2 changed" in run.stdout
    store.put_back(rows, links)
    with contextlib.suppress(Exception):
        store.db.close()
    system["reporting"].start(QUIET)
    metric = system["reporting"].metric
    assert metric("huiwu_audit_verify_last_ok") == 0
    assert time.time() - metric("huiwu_audit_verify_last_timestamp_seconds") < 300

    run = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", "audit", "verify", "--service", "vendors"],
        env={**system.env(), "HUIWU_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "vendors: 3 events intact, 3 matched against reporting's copy" in run.stdout
    assert metric("huiwu_audit_verify_last_ok") == 1
