"""Vendors and their contracts. No I/O: ids, dates and meta are passed in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict


class ContractNotDraft(Conflict):
    pass


class ContractAlreadyCancelled(Conflict):
    pass


class Vendor(Aggregate):
    @staticmethod
    def create_id(vendor_id: UUID) -> UUID:
        return vendor_id

    @event("VendorAdded")
    def __init__(
        self,
        vendor_id: UUID,
        conference_id: str,
        name: str,
        categories: list[str],
        contact_name: str | None,
        contact_email: str | None,
        contact_phone: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = conference_id
        self.name = name
        self.categories = list(categories)
        self.contact_name = contact_name
        self.contact_email = contact_email
        self.contact_phone = contact_phone


class Contract(Aggregate):
    @staticmethod
    def create_id(contract_id: UUID) -> UUID:
        return contract_id

    @event("ContractDrafted")
    def __init__(
        self,
        contract_id: UUID,
        conference_id: str,
        vendor_id: str,
        category: str,
        title: str,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = conference_id
        self.vendor_id = vendor_id
        self.category = category
        self.title = title
        self.amount_minor = amount_minor
        self.currency = currency
        self.status = "draft"
        self.signed_on: str | None = None
        self.signed_by: str | None = None
        self.cancel_reason: str | None = None

    def sign(self, signed_on: str, signed_by: str, meta: dict[str, Any]) -> None:
        if self.status == "cancelled":
            raise ContractAlreadyCancelled(f"contract {self.id} is cancelled and cannot be signed")
        if self.status != "draft":
            raise ContractNotDraft(
                f"contract {self.id} is {self.status}; only a draft can be signed"
            )
        self._signed(
            vendor_id=self.vendor_id,
            category=self.category,
            amount_minor=self.amount_minor,
            currency=self.currency,
            signed_on=signed_on,
            signed_by=signed_by,
            meta=meta,
        )

    @event("ContractSigned")
    def _signed(
        self,
        vendor_id: str,
        category: str,
        amount_minor: int,
        currency: str,
        signed_on: str,
        signed_by: str,
        meta: dict[str, Any],
    ) -> None:
        self.status = "signed"
        self.signed_on = signed_on
        self.signed_by = signed_by

    def cancel(self, reason: str, meta: dict[str, Any]) -> None:
        if self.status == "cancelled":
            raise ContractAlreadyCancelled(f"contract {self.id} is already cancelled")
        self._cancelled(
            vendor_id=self.vendor_id,
            category=self.category,
            was_signed=self.status == "signed",
            reason=reason,
            meta=meta,
        )

    @event("ContractCancelled")
    def _cancelled(
        self, vendor_id: str, category: str, was_signed: bool, reason: str, meta: dict[str, Any]
    ) -> None:
        self.status = "cancelled"
        self.cancel_reason = reason
