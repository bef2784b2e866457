"""Vendors' use cases on the in-memory store: refusals name the field and store nothing."""

import datetime as dt
import uuid

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.common.http import error_response
from services.common.store import ChangedMeanwhile
from services.vendors.application import VendorsApplication
from services.vendors.commands import AddVendor, CancelContract, DraftContract, SignContract
from services.vendors.domain import Contract, ContractAlreadyCancelled, Vendor
from services.vendors.schemas import ContractAnswer, VendorAnswer

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
KNOWN = str(uuid.uuid4())
OTHER = str(uuid.uuid4())


class Conferences:
    """The conferences vendors knows of, and what it was asked."""

    def __init__(self, *known):
        self.known = set(known)
        self.asked: list[str] = []

    def exists(self, conference_id):
        self.asked.append(conference_id)
        return conference_id in self.known


@pytest.fixture
def app():
    app = VendorsApplication(env=POPO, conferences=Conferences(KNOWN, OTHER))
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("li", "corr-42")


def stored(app) -> int:
    return app.recorder.max_notification_id() or 0


def add_vendor(app, ctx, conference_id=KNOWN) -> str:
    vendor = app.add_vendor(
        AddVendor(conference_id=uuid.UUID(conference_id), name="Expo Hall", categories=("venue",)),
        ctx,
    )
    return str(vendor.id)


def draft_cmd(vendor_id, conference_id=KNOWN, **overrides) -> DraftContract:
    cmd = {
        "conference_id": uuid.UUID(conference_id),
        "vendor_id": uuid.UUID(vendor_id),
        "category": "venue",
        "title": "Main hall",
        "amount_minor": 12_000_000,
        "currency": "CNY",
    }
    cmd.update(overrides)
    return DraftContract(**cmd)


def draft(app, ctx, vendor_id, **overrides) -> str:
    return str(app.draft_contract(draft_cmd(vendor_id, **overrides), ctx).id)


SIGN = SignContract(signed_on=dt.date(2026, 3, 1))


def test_a_vendor_and_contract_go_from_draft_to_signed(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = draft(app, ctx, vendor_id)

    contract = app.sign_contract(contract_id, SIGN, ctx)

    assert isinstance(contract, Contract)
    signed = ContractAnswer().dump(contract)
    assert signed == {
        "contract_id": contract_id,
        "conference_id": KNOWN,
        "vendor_id": vendor_id,
        "category": "venue",
        "scope": "conference",  # none given
        "title": "Main hall",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "status": "signed",
        "signed_on": "2026-03-01",
        "signed_by": "li",  # the actor, when no signer is named
        "cancel_reason": None,
        "version": 2,
    }
    assert ContractAnswer().dump(app.contract(contract_id)) == signed
    vendor = app.vendor(vendor_id)
    assert isinstance(vendor, Vendor)
    assert VendorAnswer().dump(vendor)["conference_id"] == KNOWN
    assert stored(app) == 3


def test_a_named_signer_is_kept(app, ctx):
    contract_id = draft(app, ctx, add_vendor(app, ctx))

    contract = app.sign_contract(
        contract_id, SignContract(signed_on=dt.date(2026, 3, 1), signed_by="Director Zhao"), ctx
    )

    assert contract.signed_by == "Director Zhao"


def test_unknown_conference_is_an_invalid_command_naming_conference_id_and_stores_nothing(app, ctx):
    vendor_id = add_vendor(app, ctx)
    before = stored(app)
    unknown = str(uuid.uuid4())

    with pytest.raises(InvalidCommand) as raised:
        app.add_vendor(AddVendor(conference_id=uuid.UUID(unknown), name="X"), ctx)
    assert raised.value.field == "conference_id"
    assert unknown in raised.value.message
    assert app.conferences.asked[-1] == unknown

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(draft_cmd(vendor_id, conference_id=unknown), ctx)
    assert raised.value.field == "conference_id"
    assert raised.value.to_dict()["errors"] == {"conference_id": [raised.value.message]}

    assert stored(app) == before


def test_a_vendor_of_another_conference_is_an_invalid_command_naming_vendor_id(app, ctx):
    vendor_id = add_vendor(app, ctx, conference_id=OTHER)
    before = stored(app)

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(draft_cmd(vendor_id, conference_id=KNOWN), ctx)

    assert raised.value.field == "vendor_id"
    assert stored(app) == before


def test_an_unknown_vendor_is_an_invalid_command_naming_vendor_id(app, ctx):
    before = stored(app)

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(draft_cmd(str(uuid.uuid4())), ctx)

    assert raised.value.field == "vendor_id"
    assert not isinstance(raised.value, NotFound)
    assert stored(app) == before


def test_a_contract_id_is_not_a_vendor(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = draft(app, ctx, vendor_id)

    with pytest.raises(InvalidCommand) as raised:
        app.draft_contract(draft_cmd(contract_id), ctx)
    assert raised.value.field == "vendor_id"
    with pytest.raises(NotFound):
        app.vendor(contract_id)


@pytest.mark.parametrize("contract_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_an_unknown_contract_is_not_found(app, ctx, contract_id):
    before = stored(app)

    with pytest.raises(NotFound) as raised:
        app.sign_contract(contract_id, SIGN, ctx)
    assert raised.value.field == "contract_id"
    assert error_response(raised.value).status_code == 404
    with pytest.raises(NotFound):
        app.cancel_contract(contract_id, CancelContract(reason="r"), ctx)
    with pytest.raises(NotFound):
        app.contract(contract_id)

    assert stored(app) == before


def test_a_vendor_id_is_not_a_contract(app, ctx):
    vendor_id = add_vendor(app, ctx)

    with pytest.raises(NotFound):
        app.sign_contract(vendor_id, SIGN, ctx)


def test_a_refused_command_on_a_contract_stores_nothing(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = draft(app, ctx, vendor_id)
    app.cancel_contract(contract_id, CancelContract(reason="closed"), ctx)
    before = stored(app)

    with pytest.raises(ContractAlreadyCancelled) as raised:
        app.sign_contract(contract_id, SIGN, ctx)

    assert isinstance(raised.value, Conflict)
    assert error_response(raised.value).status_code == 409
    assert stored(app) == before
    assert app.contract(contract_id).status == "cancelled"
    assert app.contract(contract_id).cancel_reason == "closed"


def test_every_stored_event_carries_the_command_context(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = draft(app, ctx, vendor_id)
    app.sign_contract(contract_id, SIGN, CommandContext.new("wang", "corr-43"))

    events = [app.mapper.to_domain_event(n) for n in app.select_notifications(1, 10)]

    assert [e.meta["actor"] for e in events] == ["li", "li", "wang"]
    assert [e.meta["correlation_id"] for e in events] == ["corr-42", "corr-42", "corr-43"]
    assert {e.meta["conference_id"] for e in events} == {KNOWN}


def test_on_saved_is_called_after_each_write_and_not_after_a_refusal(app, ctx):
    calls = []
    app.on_saved = lambda: calls.append(stored(app))

    vendor_id = add_vendor(app, ctx)
    with pytest.raises(InvalidCommand):
        app.draft_contract(draft_cmd(str(uuid.uuid4())), ctx)
    draft(app, ctx, vendor_id)

    assert calls == [1, 2]


def test_two_commands_racing_on_one_contract_the_second_is_a_conflict_and_stores_nothing(app, ctx):
    contract_id = draft(app, ctx, add_vendor(app, ctx))
    first, second = app.contract(contract_id), app.contract(contract_id)  # both read v1
    first.sign("2026-03-01", "li", ctx.meta(first.conference_id))
    app.save(first)
    before = stored(app)
    second.cancel("changed our minds", ctx.meta(second.conference_id))

    with pytest.raises(ChangedMeanwhile) as raised:
        app.save(second)

    assert "at the same moment" in raised.value.message
    assert error_response(raised.value).status_code == 409
    assert stored(app) == before
    assert app.contract(contract_id).status == "signed"  # the first one stands


def test_a_contract_s_scope_goes_from_its_draft_into_every_event_it_stores(app, ctx):
    vendor_id = add_vendor(app, ctx)
    contract_id = draft(app, ctx, vendor_id, scope="tour")
    app.sign_contract(contract_id, SIGN, ctx)
    app.cancel_contract(contract_id, CancelContract(reason="tour cancelled"), ctx)

    events = [app.mapper.to_domain_event(n) for n in app.select_notifications(2, 10)]

    assert [type(e).__name__ for e in events] == [
        "ContractDrafted",
        "ContractSigned",
        "ContractCancelled",
    ]
    assert [e.scope for e in events] == ["tour"] * 3
    assert ContractAnswer().dump(app.contract(contract_id))["scope"] == "tour"


def test_an_unknown_scope_is_an_invalid_command_naming_scope_and_stores_nothing(app, ctx):
    vendor_id = add_vendor(app, ctx)
    before = stored(app)

    with pytest.raises(InvalidCommand) as raised:
        draft(app, ctx, vendor_id, scope="gala")

    assert raised.value.field == "scope"
    assert "'gala'" in raised.value.message
    assert stored(app) == before
