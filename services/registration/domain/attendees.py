"""The attendee: one position of an order, one person. Their name, email and phone stay
in the store (`unpublished`); the published events say who they are only as far as the
audience analysis needs (category, organisation, industry, seniority, country)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict

PERSONAL = ("name", "email", "phone")


class AttendeeNotActive(Conflict):
    pass


class Attendee(Aggregate):
    class AttendeeRegistered(Aggregate.Created):
        category: str
        order_id: str
        ticket_type: str
        organisation: str | None
        industry: str | None
        seniority: str | None
        country: str | None
        source_campaign: str | None
        consents: list[str]
        consent_version: str
        consent_sha256: str
        name: str
        email: str
        phone: str | None
        price_minor: int
        currency: str
        claim_id: str
        meta: dict[str, Any]
        # the price is the order's position; the claim's id is derived from the email
        unpublished = (*PERSONAL, "price_minor", "currency", "claim_id")
        published_when_set = (
            "organisation",
            "industry",
            "seniority",
            "country",
            "source_campaign",
        )

    @classmethod
    def register(cls, attendee_id: Any, **kwargs: Any) -> Attendee:
        return cls._create(cls.AttendeeRegistered, id=attendee_id, **kwargs)

    @event(AttendeeRegistered)
    def __init__(
        self,
        category: str,
        order_id: str,
        ticket_type: str,
        organisation: str | None,
        industry: str | None,
        seniority: str | None,
        country: str | None,
        source_campaign: str | None,
        consents: list[str],
        consent_version: str,
        consent_sha256: str,
        name: str,
        email: str,
        phone: str | None,
        price_minor: int,
        currency: str,
        claim_id: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.order_id = order_id
        self.category = category
        self.ticket_type = ticket_type
        self.organisation = organisation
        self.industry = industry
        self.seniority = seniority
        self.country = country
        self.source_campaign = source_campaign
        self.consents = list(consents)
        self.consent_version = consent_version
        self.consent_sha256 = consent_sha256
        self.name = name
        self.email = email
        self.phone = phone
        self.price_minor = price_minor
        self.currency = currency
        self.claim_id = claim_id
        self.status = "registered"
        self.paid = False
        self.refunded = False
        self.substitutions = 0
        self.checkins: dict[str, dict[str, Any]] = {}
        self.kit: list[str] | None = None
        self.badges_printed = 0
        self.badge_generation: int | None = None  # substitutions when last printed

    @property
    def active(self) -> bool:
        return self.status == "registered"

    # -- payment and refund -----------------------------------------------------------
    def paid_for(self, method: str | None, meta: dict[str, Any]) -> None:
        if not self.paid:
            self._paid(
                amount_minor=self.price_minor,
                currency=self.currency,
                order_id=self.order_id,
                method=method,
                meta=meta,
            )

    class RegistrationPaid(Aggregate.Event):
        amount_minor: int
        currency: str
        order_id: str
        method: str | None
        meta: dict[str, Any]
        published_when_set = ("method",)

    @event(RegistrationPaid)
    def _paid(
        self,
        amount_minor: int,
        currency: str,
        order_id: str,
        method: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.paid = True

    def refund_issued(self, refund_id: str, meta: dict[str, Any]) -> None:
        if self.paid and not self.refunded:
            self._refunded(
                amount_minor=self.price_minor,
                currency=self.currency,
                order_id=self.order_id,
                refund_id=refund_id,
                meta=meta,
            )

    @event("RefundIssued")
    def _refunded(
        self,
        amount_minor: int,
        currency: str,
        order_id: str,
        refund_id: str,
        meta: dict[str, Any],
    ) -> None:
        self.refunded = True

    # -- cancellation and substitution ------------------------------------------------
    def cancel(
        self, reason: str, cancelled_by: str | None, refund_due: bool, meta: dict[str, Any]
    ) -> None:
        """Cancelled with the order: by the attendee or the organiser, or by no one when
        the order expired unpaid."""
        if self.active:
            self._cancelled(
                reason=reason,
                order_id=self.order_id,
                cancelled_by=cancelled_by,
                refund_due=refund_due,
                meta=meta,
            )

    class RegistrationCancelled(Aggregate.Event):
        reason: str
        order_id: str
        cancelled_by: str | None
        refund_due: bool
        meta: dict[str, Any]
        published_when_set = ("cancelled_by",)

    @event(RegistrationCancelled)
    def _cancelled(
        self,
        reason: str,
        order_id: str,
        cancelled_by: str | None,
        refund_due: bool,
        meta: dict[str, Any],
    ) -> None:
        self.status = "cancelled"

    class AttendeeSubstituted(Aggregate.Event):
        reason: str | None
        consents: list[str]
        consent_version: str
        consent_sha256: str
        name: str
        email: str
        phone: str | None
        claim_id: str
        meta: dict[str, Any]
        unpublished = (*PERSONAL, "claim_id")
        published_when_set = ("reason",)

    def substitute(self, **kwargs: Any) -> None:
        if not self.active:
            raise AttendeeNotActive(
                f"attendee {self.id} is {self.status}: nobody can take the place"
            )
        self._substituted(**kwargs)

    @event(AttendeeSubstituted)
    def _substituted(
        self,
        reason: str | None,
        consents: list[str],
        consent_version: str,
        consent_sha256: str,
        name: str,
        email: str,
        phone: str | None,
        claim_id: str,
        meta: dict[str, Any],
    ) -> None:
        self.name = name
        self.email = email
        self.phone = phone
        self.claim_id = claim_id
        self.consents = list(consents)
        self.consent_version = consent_version
        self.consent_sha256 = consent_sha256
        self.substitutions += 1

    # -- on site (docs/registration.md#on-site) ------------------------------------------
    def checked_in_on(self, day: str) -> dict[str, Any] | None:
        return self.checkins.get(day)

    def check_in(
        self,
        day: str,
        desk: str,
        scanned_at: str,
        scan_id: str | None,
        pre_registered: bool,
        meta: dict[str, Any],
    ) -> bool:
        """Checked in once per day: False, storing nothing, when the day has its check-in."""
        if not self.active:
            raise AttendeeNotActive(f"the attendee's registration is {self.status}")
        if self.checked_in_on(day) is not None:
            return False
        self._checked_in(
            checkin_list="entrance",
            day=day,
            method="qr_code",
            pre_registered=pre_registered,
            category=self.category,
            desk=desk,
            scanned_at=scanned_at,
            scan_id=scan_id,
            meta=meta,
        )
        return True

    class AttendeeCheckedIn(Aggregate.Event):
        checkin_list: str
        day: str
        method: str
        pre_registered: bool
        category: str
        desk: str
        scanned_at: str
        scan_id: str | None
        meta: dict[str, Any]
        published_when_set = ("scan_id",)

    @event(AttendeeCheckedIn)
    def _checked_in(
        self,
        checkin_list: str,
        day: str,
        method: str,
        pre_registered: bool,
        category: str,
        desk: str,
        scanned_at: str,
        scan_id: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.checkins[day] = {"desk": desk, "scanned_at": scanned_at, "scan_id": scan_id}

    def collect_kit(self, items: list[str], desk: str | None, meta: dict[str, Any]) -> bool:
        """Once per attendee: False, storing nothing, when the kit was collected before."""
        if not self.active:
            raise AttendeeNotActive(f"the attendee's registration is {self.status}")
        if self.kit is not None:
            return False
        self._kit_collected(items=list(items), desk=desk, meta=meta)
        return True

    class KitCollected(Aggregate.Event):
        items: list[str]
        desk: str | None
        meta: dict[str, Any]
        published_when_set = ("desk",)

    @event(KitCollected)
    def _kit_collected(self, items: list[str], desk: str | None, meta: dict[str, Any]) -> None:
        self.kit = list(items)

    def badge_printed(self, print_run_id: str, meta: dict[str, Any]) -> None:
        """Printed again after a substitution gives that reason; any other reprint none."""
        printed = self.badges_printed
        reason = None
        if printed and self.badge_generation != self.substitutions:
            reason = "substitution"
        self._badge_printed(
            reprint=printed > 0, reprint_reason=reason, print_run_id=print_run_id, meta=meta
        )

    class BadgePrinted(Aggregate.Event):
        reprint: bool
        reprint_reason: str | None
        print_run_id: str
        meta: dict[str, Any]
        published_when_set = ("reprint_reason",)

    @event(BadgePrinted)
    def _badge_printed(
        self, reprint: bool, reprint_reason: str | None, print_run_id: str, meta: dict[str, Any]
    ) -> None:
        self.badges_printed += 1
        self.badge_generation = self.substitutions
