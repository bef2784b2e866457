"""Use cases of vendors: add a vendor, draft, sign and cancel a contract."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand, NotFound, about
from services.common.store import OnSaved, ServiceApplication

from .commands import AddVendor, CancelContract, DraftContract, SignContract
from .conferences import KnownConferences
from .domain import Contract, Vendor


class VendorsApplication(ServiceApplication):
    name = "vendors"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        on_saved: OnSaved | None = None,
        *,
        conferences: KnownConferences,
    ) -> None:
        super().__init__(env, on_saved)
        self.conferences = conferences

    def add_vendor(self, cmd: AddVendor, ctx: CommandContext) -> Vendor:
        conference_id = self._known_conference(cmd.conference_id)
        vendor = Vendor(
            vendor_id=uuid.uuid4(),
            conference_id=conference_id,
            name=cmd.name,
            categories=list(cmd.categories),
            contact_name=cmd.contact_name,
            contact_email=cmd.contact_email,
            contact_phone=cmd.contact_phone,
            meta=ctx.meta(conference_id),
        )
        self.save(vendor)
        return vendor

    def draft_contract(self, cmd: DraftContract, ctx: CommandContext) -> Contract:
        conference_id = self._known_conference(cmd.conference_id)
        try:
            vendor = self.get(Vendor, cmd.vendor_id, "vendor", "vendor_id")
        except NotFound as exc:
            raise InvalidCommand(exc.message, field="vendor_id") from None
        if vendor.conference_id != conference_id:
            raise InvalidCommand(
                f"vendor {vendor.id} belongs to another conference", field="vendor_id"
            )
        contract = Contract.draft(
            contract_id=uuid.uuid4(),
            conference_id=conference_id,
            vendor_id=str(vendor.id),
            category=cmd.category,
            scope=cmd.scope,
            title=cmd.title,
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            meta=ctx.meta(conference_id),
        )
        self.save(contract)
        return contract

    def sign_contract(self, contract_id: str, cmd: SignContract, ctx: CommandContext) -> Contract:
        contract = self.contract(contract_id)
        with about("contract_id"):
            contract.sign(
                signed_on=cmd.signed_on.isoformat(),
                signed_by=cmd.signed_by or ctx.actor,
                meta=ctx.meta(contract.conference_id),
            )
        self.save(contract)
        return contract

    def cancel_contract(
        self, contract_id: str, cmd: CancelContract, ctx: CommandContext
    ) -> Contract:
        contract = self.contract(contract_id)
        with about("contract_id"):
            contract.cancel(reason=cmd.reason, meta=ctx.meta(contract.conference_id))
        self.save(contract)
        return contract

    def contract(self, contract_id: Any) -> Contract:
        return self.get(Contract, contract_id, "contract", "contract_id")

    def vendor(self, vendor_id: Any) -> Vendor:
        return self.get(Vendor, vendor_id, "vendor", "vendor_id")

    def _known_conference(self, conference_id: uuid.UUID) -> str:
        if not self.conferences.exists(str(conference_id)):
            raise InvalidCommand(f"unknown conference {conference_id}", field="conference_id")
        return str(conference_id)
