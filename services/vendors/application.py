"""Use cases of vendors: add a vendor, draft, sign and cancel a contract."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand, NotFound
from services.common.store import ServiceApplication

from .domain import Contract, Vendor, vendor_to_dict


class VendorsApplication(ServiceApplication):
    name = "vendors"

    conference_exists: Callable[[str], bool] = staticmethod(lambda _cid: True)

    def _require_conference(self, conference_id: str) -> None:
        if not self.conference_exists(conference_id):
            raise InvalidCommand(f"unknown conference {conference_id}", field="conference_id")

    def add_vendor(self, ctx: CommandContext, cmd: dict[str, Any]) -> str:
        conference_id = str(cmd["conference_id"])
        self._require_conference(conference_id)
        vendor = Vendor(
            vendor_id=uuid.uuid4(),
            conference_id=conference_id,
            name=cmd["name"],
            categories=cmd["categories"],
            contact_name=cmd.get("contact_name"),
            contact_email=cmd.get("contact_email"),
            contact_phone=cmd.get("contact_phone"),
            meta=ctx.meta(conference_id),
        )
        self.save(vendor)
        return str(vendor.id)

    def draft_contract(self, ctx: CommandContext, cmd: dict[str, Any]) -> str:
        conference_id = str(cmd["conference_id"])
        self._require_conference(conference_id)
        try:
            vendor = self._get(Vendor, cmd["vendor_id"], "vendor_id", "vendor")
        except NotFound as exc:
            raise InvalidCommand(exc.message, field="vendor_id") from None
        if vendor.conference_id != conference_id:
            raise InvalidCommand(
                f"vendor {vendor.id} belongs to another conference", field="vendor_id"
            )
        contract = Contract(
            contract_id=uuid.uuid4(),
            conference_id=conference_id,
            vendor_id=str(vendor.id),
            category=cmd["category"],
            title=cmd["title"],
            amount_minor=cmd["amount_minor"],
            currency=cmd["currency"],
            meta=ctx.meta(conference_id),
        )
        self.save(contract)
        return str(contract.id)

    def sign_contract(self, ctx: CommandContext, contract_id: str, cmd: dict[str, Any]) -> dict:
        contract = self._get(Contract, contract_id, "contract_id", "contract")
        contract.sign(
            signed_on=cmd["signed_on"].isoformat(),
            signed_by=cmd.get("signed_by") or ctx.actor,
            meta=ctx.meta(contract.conference_id),
        )
        self.save(contract)
        return contract.to_dict()

    def cancel_contract(self, ctx: CommandContext, contract_id: str, cmd: dict[str, Any]) -> dict:
        contract = self._get(Contract, contract_id, "contract_id", "contract")
        contract.cancel(reason=cmd["reason"], meta=ctx.meta(contract.conference_id))
        self.save(contract)
        return contract.to_dict()

    def contract(self, contract_id: str) -> dict[str, Any]:
        return self._get(Contract, contract_id, "contract_id", "contract").to_dict()

    def vendor(self, vendor_id: str) -> dict[str, Any]:
        return vendor_to_dict(self._get(Vendor, vendor_id, "vendor_id", "vendor"))

    def _get(self, cls: type, aggregate_id: Any, field: str, noun: str) -> Any:
        try:
            aggregate = self.repository.get(uuid.UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFound(f"no {noun} {aggregate_id}", field=field) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {noun} {aggregate_id}", field=field)
        return aggregate
