"""Vendors' events stored before contracts had a scope (tests/support/vendors_before_scope.json,
captured from a store that code wrote): they are described exactly as that code described
them, so their digests and links are unchanged; their aggregates load upcast, as the
conference's."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from eventsourcing.persistence import Notification

from services.common import chain
from services.common.chained_store import describer
from services.common.domain import CommandContext
from services.common.envelope import build_envelope
from services.common.registry import load
from services.vendors.application import VendorsApplication
from services.vendors.commands import SignContract

BEFORE = json.loads(
    (Path(__file__).parents[1] / "support" / "vendors_before_scope.json").read_text("utf-8")
)
CATALOG = load().catalog("vendors")


def notifications() -> list[Notification]:
    return [
        Notification(
            id=e["notification_id"],
            originator_id=uuid.UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=e["state"].encode(),
        )
        for e in BEFORE["events"]
    ]


@pytest.fixture
def app():
    app = VendorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, conferences=None)
    app.recorder.insert_events(list(notifications()))
    yield app
    app.close()


def test_the_fixture_holds_contract_events_of_every_kind_without_a_scope():
    types = [e["event_type"] for e in BEFORE["envelopes"]]
    assert {"ContractDrafted", "ContractSigned", "ContractCancelled"} <= set(types)
    assert not any("scope" in e["payload"] for e in BEFORE["envelopes"])
    assert not any('"class_version"' in e["state"] for e in BEFORE["events"])


def test_old_events_are_described_as_that_code_described_them_and_chain_alike(app):
    fields = describer(app.mapper, "vendors", CATALOG)
    stored = notifications()

    described = [fields(n) for n in stored]
    published = [build_envelope(app.mapper, "vendors", CATALOG, n).to_dict() for n in stored]

    expected = [{k: v for k, v in e.items() if k != "chain_link"} for e in BEFORE["envelopes"]]
    assert described == expected == published
    links = chain.extend(chain.GENESIS, described)
    assert [vars(x) for x in links] == BEFORE["chain"]


def test_old_contracts_load_as_the_conference_s_and_take_new_commands(app):
    for key in ("signed_contract_id", "draft_contract_id", "cancelled_contract_id"):
        assert app.contract(BEFORE[key]).scope == "conference"
    statuses = [app.contract(BEFORE[k]).status for k in ("signed_contract_id", "draft_contract_id")]
    assert statuses == ["signed", "draft"]

    app.sign_contract(
        BEFORE["draft_contract_id"], SignContract(dt.date(2026, 12, 3)), CommandContext.new("li")
    )

    last = app.max_notification_id()
    (signed,) = app.select_notifications(last, 1)
    envelope = build_envelope(app.mapper, "vendors", CATALOG, signed)
    assert envelope.event_type == "ContractSigned"
    assert envelope.payload["scope"] == "conference"  # the upcast aggregate's, now stored
    assert describer(app.mapper, "vendors", CATALOG)(signed) == envelope.to_dict()
    assert app.contract(BEFORE["draft_contract_id"]).status == "signed"


def test_a_new_event_s_digest_covers_its_scope(app):
    fields = describer(app.mapper, "vendors", CATALOG)
    app.sign_contract(
        BEFORE["draft_contract_id"], SignContract(dt.date(2026, 12, 3)), CommandContext.new("li")
    )
    (signed,) = app.select_notifications(app.max_notification_id(), 1)
    state = json.loads(signed.state)
    assert state["scope"] == "conference" and state["class_version"] == 2
    described = fields(signed)
    assert "class_version" not in described["payload"]

    state["scope"] = "staff"
    edited = Notification(
        id=signed.id,
        originator_id=signed.originator_id,
        originator_version=signed.originator_version,
        topic=signed.topic,
        state=json.dumps(state).encode(),
    )

    assert chain.digest(fields(edited)) != chain.digest(described)


def restated(stored: Notification, change) -> Notification:
    state = json.loads(stored.state)
    change(state)
    return Notification(
        id=stored.id,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )


def test_the_stored_class_version_alone_cannot_change_what_an_aggregate_sees():
    """It is not in the digest: the same digest must never load as different values."""
    from services.vendors.commands import AddVendor, DraftContract

    class Known:
        def exists(self, conference_id):
            return True

    def loaded(events: list[Notification], contract_id: str) -> str:
        app = VendorsApplication(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, conferences=Known()
        )
        app.recorder.insert_events(events)
        return app.contract(contract_id).scope

    writer = VendorsApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, conferences=Known()
    )
    ctx = CommandContext.new("li")
    conference = uuid.UUID(BEFORE["conference_id"])
    vendor = writer.add_vendor(AddVendor(conference, "Expo"), ctx)
    tour = writer.draft_contract(
        DraftContract(conference, vendor.id, "transport", "Coaches", 1, scope="tour"), ctx
    )
    (drafted,) = writer.select_notifications(2, 1)
    fields = describer(writer.mapper, "vendors", CATALOG)

    stripped = restated(drafted, lambda state: state.pop("class_version"))

    assert chain.digest(fields(stripped)) == chain.digest(fields(drafted))
    assert loaded([stripped], str(tour.id)) == "tour"  # not upcast over its own scope

    old = notifications()
    old[1] = restated(old[1], lambda state: state.update(class_version=2))  # ContractDrafted
    assert chain.digest(fields(old[1])) == BEFORE["chain"][1]["digest"]
    with pytest.raises(TypeError, match="scope"):  # not upcast, and so not loaded
        loaded(old, BEFORE["signed_contract_id"])
