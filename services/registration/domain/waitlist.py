"""The waiting list (pretix's): someone waits for a sold-out ticket type; when a place
frees, the first one waiting is offered it by a voucher that holds the place until the
offer expires. The person's name, email and phone stay in the store (`unpublished`)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict

from .attendees import PERSONAL


class WaitlistEntry(Aggregate):
    class WaitlistJoined(Aggregate.Created):
        ticket_type: str
        category: str
        name: str
        email: str
        phone: str | None
        consents: list[str]
        consent_version: str
        consent_sha256: str
        meta: dict[str, Any]
        unpublished = (*PERSONAL, "consents", "consent_version", "consent_sha256")

    @classmethod
    def join(cls, entry_id: Any, **kwargs: Any) -> WaitlistEntry:
        return cls._create(cls.WaitlistJoined, id=entry_id, **kwargs)

    @event(WaitlistJoined)
    def __init__(
        self,
        ticket_type: str,
        category: str,
        name: str,
        email: str,
        phone: str | None,
        consents: list[str],
        consent_version: str,
        consent_sha256: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.ticket_type = ticket_type
        self.category = category
        self.name = name
        self.email = email
        self.phone = phone
        self.consents = list(consents)
        self.consent_version = consent_version
        self.consent_sha256 = consent_sha256
        self.status = "waiting"
        self.voucher_id: str | None = None
        self.offer_expires_at: str | None = None

    def offer(self, voucher_id: str, offer_expires_at: str, meta: dict[str, Any]) -> None:
        if self.status != "waiting":
            raise Conflict(f"waiting-list entry {self.id} is {self.status}")
        self._offered(voucher_id=voucher_id, offer_expires_at=offer_expires_at, meta=meta)

    @event("WaitlistOffered")
    def _offered(self, voucher_id: str, offer_expires_at: str, meta: dict[str, Any]) -> None:
        self.status = "offered"
        self.voucher_id = voucher_id
        self.offer_expires_at = offer_expires_at

    def lapse(self, meta: dict[str, Any]) -> None:
        if self.status == "offered":
            self._lapsed(voucher_id=self.voucher_id, meta=meta)

    @event("WaitlistOfferLapsed")
    def _lapsed(self, voucher_id: str, meta: dict[str, Any]) -> None:
        self.status = "lapsed"
