"""Vendors and their contracts. No I/O: ids, dates and meta are passed in.

A contract's events are of class version 2: they carry the contract's `scope`. Those
stored by version 1, before contracts had a scope, are upcast as they are loaded
(`upcast_v1_v2`): every contract then was the conference's. Only the aggregate sees them
upcast; everything that describes stored events (the chain, the log, the audit trail)
describes them as stored (docs/schema-evolution.md).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .events import SCOPES, UNSCOPED


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


def _scoped(state: dict[str, Any]) -> None:
    """Version 1 to 2 of a contract's event: stored before contracts had a scope, when
    every contract was the conference's.

    It leaves a scope that is there: the stored class version is not in the chain's digest
    (the state is), so a version-2 state stripped of its version must load as stored."""
    state.setdefault("scope", UNSCOPED)


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InvalidCommand(
            f"scope must be one of {', '.join(SCOPES)}, got {scope!r}", field="scope"
        )
    return scope


class Contract(Aggregate):
    class ContractDrafted(Aggregate.Created):
        class_version = 2
        contract_id: UUID
        conference_id: str
        vendor_id: str
        category: str
        scope: str
        title: str
        amount_minor: int
        currency: str
        meta: dict[str, Any]

        upcast_v1_v2 = staticmethod(_scoped)

    class ContractSigned(Aggregate.Event):
        class_version = 2
        vendor_id: str
        category: str
        scope: str
        amount_minor: int
        currency: str
        signed_on: str
        signed_by: str
        meta: dict[str, Any]

        upcast_v1_v2 = staticmethod(_scoped)

    class ContractCancelled(Aggregate.Event):
        class_version = 2
        vendor_id: str
        category: str
        scope: str
        was_signed: bool
        reason: str
        meta: dict[str, Any]

        upcast_v1_v2 = staticmethod(_scoped)

    @staticmethod
    def create_id(contract_id: UUID) -> UUID:
        return contract_id

    @classmethod
    def draft(
        cls,
        contract_id: UUID,
        conference_id: str,
        vendor_id: str,
        category: str,
        scope: str,
        title: str,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
    ) -> Contract:
        """A new draft, for one of SCOPES (an unknown one is refused, naming `scope`)."""
        return cls(
            contract_id=contract_id,
            conference_id=conference_id,
            vendor_id=vendor_id,
            category=category,
            scope=check_scope(scope),
            title=title,
            amount_minor=amount_minor,
            currency=currency,
            meta=meta,
        )

    @event(ContractDrafted)
    def __init__(
        self,
        contract_id: UUID,
        conference_id: str,
        vendor_id: str,
        category: str,
        scope: str,
        title: str,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = conference_id
        self.vendor_id = vendor_id
        self.category = category
        self.scope = scope
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
            scope=self.scope,
            amount_minor=self.amount_minor,
            currency=self.currency,
            signed_on=signed_on,
            signed_by=signed_by,
            meta=meta,
        )

    @event(ContractSigned)
    def _signed(
        self,
        vendor_id: str,
        category: str,
        scope: str,
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
            scope=self.scope,
            was_signed=self.status == "signed",
            reason=reason,
            meta=meta,
        )

    @event(ContractCancelled)
    def _cancelled(
        self,
        vendor_id: str,
        category: str,
        scope: str,
        was_signed: bool,
        reason: str,
        meta: dict[str, Any],
    ) -> None:
        self.status = "cancelled"
        self.cancel_reason = reason
