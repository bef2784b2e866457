"""Vendors' use cases on the in-memory store: refusals name the field and store nothing."""

import datetime as dt
import uuid

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.vendors.application import VendorsApplication
from services.vendors.domain import ContractAlreadyCancelled

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
KNOWN = str(uuid.uuid4())
OTHER = str(uuid.uuid4())


@pytest.fixture
def app():
    app = VendorsApplication(env=POPO)
    app.conference_exists = lambda conference_id: conference_id in (KNOWN, OTHER)
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("li", "corr-42")


def stored(app) -> int:
    return app.recorder.max_notification_id() or 0


def add_vendor(app, ctx, conference_id=KNOWN) -> str:
    return app.add_vendor(
        ctx,
        {"conference_id": uuid.UUID(conference_id), "name": "Expo Hall", "categories": ["venue"]},
    )


def draft_cmd(vendor_id, conference_id=KNOWN, **overrides):
    cmd = {
        "conference_id": uuid.UUID(conference_id),
        "vendor_id": uuid.UUID(vendor_id),
        "category": "venue",
        "title": "Main hall",
        "amount_minor": 12_000_000,
        "currency": "CNY",
    }
    cmd.update(overrides)
    return cmd


def test_a_vendor_and_contract_go_from_draft_to_signed(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = app.draft_contract(ctx, draft_cmd(vendor_id))

    signed = app.sign_contract(ctx, contract_id, {"signed_on": dt.date(2026, 3, 1)})

    assert signed["status"] == "signed"
    assert signed["signed_on"] == "2026-03-01"
    assert signed["signed_by"] == "li"  # the actor, when no signer is named
    assert signed["vendor_id"] == vendor_id
    assert signed["conference_id"] == KNOWN
    assert app.contract(contract_id) == signed
    assert app.vendor(vendor_id)["conference_id"] == KNOWN
    assert stored(app) == 3


def test_unknown_conference_is_an_invalid_command_naming_conference_id_and_stores_nothing(app, ctx):
    vendor_id = add_vendor(app, ctx)
    before = stored(app)
    unknown = str(uuid.uuid4())

    with pytest.raises(InvalidCommand) as raised:
        app.add_vendor(ctx, {"conference_id": uuid.UUID(unknown), "name": "X", "categories": []})
    assert raised.value.field == "conference_id"
    assert unknown in raised.value.message

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(ctx, draft_cmd(vendor_id, conference_id=unknown))
    assert raised.value.field == "conference_id"
    assert raised.value.to_dict()["errors"] == {"conference_id": [raised.value.message]}

    assert stored(app) == before


def test_a_vendor_of_another_conference_is_an_invalid_command_naming_vendor_id(app, ctx):
    vendor_id = add_vendor(app, ctx, conference_id=OTHER)
    before = stored(app)

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(ctx, draft_cmd(vendor_id, conference_id=KNOWN))

    assert raised.value.field == "vendor_id"
    assert stored(app) == before


def test_an_unknown_vendor_is_an_invalid_command_naming_vendor_id(app, ctx):
    before = stored(app)

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(ctx, draft_cmd(str(uuid.uuid4())))

    assert raised.value.field == "vendor_id"
    assert not isinstance(raised.value, NotFound)
    assert stored(app) == before


def test_a_contract_id_is_not_a_vendor(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = app.draft_contract(ctx, draft_cmd(vendor_id))

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(ctx, draft_cmd(contract_id))
    assert raised.value.field == "vendor_id"
    with pytest.raises(NotFound):
        app.vendor(contract_id)


@pytest.mark.parametrize("contract_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_an_unknown_contract_is_not_found(app, ctx, contract_id):
    before = stored(app)

    with pytest.raises(NotFound) as raised:
        app.sign_contract(ctx, contract_id, {"signed_on": dt.date(2026, 3, 1)})
    assert raised.value.field == "contract_id"
    assert raised.value.status == 404
    with pytest.raises(NotFound):
        app.cancel_contract(ctx, contract_id, {"reason": "r"})
    with pytest.raises(NotFound):
        app.contract(contract_id)

    assert stored(app) == before


def test_a_vendor_id_is_not_a_contract(app, ctx):
    vendor_id = add_vendor(app, ctx)

    with pytest.raises(NotFound):
        app.sign_contract(ctx, vendor_id, {"signed_on": dt.date(2026, 3, 1)})


def test_a_refused_command_on_a_contract_stores_nothing(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = app.draft_contract(ctx, draft_cmd(vendor_id))
    app.cancel_contract(ctx, contract_id, {"reason": "closed"})
    before = stored(app)

    with pytest.raises(ContractAlreadyCancelled) as raised:
        app.sign_contract(ctx, contract_id, {"signed_on": dt.date(2026, 3, 1)})

    assert isinstance(raised.value, Conflict)
    assert stored(app) == before
    assert app.contract(contract_id)["status"] == "cancelled"


def test_every_stored_event_carries_the_command_context(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = app.draft_contract(ctx, draft_cmd(vendor_id))
    app.sign_contract(
        CommandContext.new("wang", "corr-43"), contract_id, {"signed_on": dt.date(2026, 3, 1)}
    )

    events = [app.mapper.to_domain_event(n) for n in app.select_notifications(1, 10)]

    assert [e.meta["actor"] for e in events] == ["li", "li", "wang"]
    assert [e.meta["correlation_id"] for e in events] == ["corr-42", "corr-42", "corr-43"]
    assert {e.meta["conference_id"] for e in events} == {KNOWN}


def test_on_saved_is_called_after_each_write_and_not_after_a_refusal(app, ctx):
    calls = []
    app.on_saved = lambda: calls.append(stored(app))

    vendor_id = add_vendor(app, ctx)
    with pytest.raises(InvalidCommand):
        app.draft_contract(ctx, draft_cmd(str(uuid.uuid4())))
    app.draft_contract(ctx, draft_cmd(vendor_id))

    assert calls == [1, 2]
