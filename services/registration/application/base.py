"""What every use case of registration stands on: the store (each save checked against
the published contract), the clock, the conferences known from checklist, retries of
commands that raced, and the helpers that find or release what an order holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from services.common.domain import Clock, CommandContext, utc_now
from services.common.envelope import from_domain_event
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.common.store import ChangedMeanwhile, OnSaved, ServiceApplication

from .. import commands as c
from ..conferences import Conference, KnownConferences
from ..domain import (
    AlreadyRegistered,
    Attendee,
    EmailClaim,
    Order,
    Quota,
    RegistrationSetup,
    Voucher,
    claim_id,
    quota_id,
    setup_id,
)
from ..domain import refunds as refund_rules
from ..domain.orders import PAID
from ..domain.quota import DEFAULT_NEARLY_PERCENT
from ..events import CATALOG

T = TypeVar("T")
DEFAULT_HOLD_HOURS = 72
# How long a waiting-list offer holds its place, unless the deployment says otherwise.
OFFER_HOURS = 48
REQUIRED_CONSENT = "personal_information"
# Orders racing for the same quota or email retry this often before a 409.
ATTEMPTS = 30


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RegistrationBase(ServiceApplication):
    name = "registration"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        on_saved: OnSaved | None = None,
        *,
        conferences: KnownConferences,
        clock: Clock = utc_now,
        quota_nearly_percent: int = DEFAULT_NEARLY_PERCENT,
        offer_hours: float = OFFER_HOURS,
    ) -> None:
        super().__init__(env, on_saved)
        self.conferences = conferences
        self.clock = clock
        self.quota_nearly_percent = quota_nearly_percent
        self.offer_hours = offer_hours

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        """Save, once every new event is known to fit the published contract: an event the
        relay could not publish would hold up every event after it, so a command that
        would make one is refused (naming the field) and nothing is stored."""
        for obj in objs:
            for pending in getattr(obj, "pending_events", ()):
                check_publishable(pending)
        return super().save(*objs, **kwargs)

    def order(self, order_id: Any) -> Order:
        return self.get(Order, order_id, "order", "order_id")

    def attendee(self, attendee_id: Any) -> Attendee:
        return self.get(Attendee, attendee_id, "attendee", "attendee_id")

    def _retrying(self, use_case: Callable[[], T]) -> T:
        for attempt in range(ATTEMPTS):
            try:
                return use_case()
            except ChangedMeanwhile:
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    def _conference(self, conference_id: Any) -> Conference:
        return self.conferences.get(str(conference_id))

    def _today(self, conference: Conference) -> str:
        return self.clock().astimezone(ZoneInfo(conference.timezone)).date().isoformat()

    def _setup(self, conference: Conference) -> RegistrationSetup:
        try:
            return self.get(RegistrationSetup, setup_id(conference.conference_id), "set-up")
        except NotFound:
            raise Conflict(
                f"registration of conference {conference.conference_id} is not set up: "
                f"set its fee schedule first",
                field="conference_id",
            ) from None

    def _setup_or_new(self, conference: Conference, ctx: CommandContext) -> RegistrationSetup:
        try:
            return self._setup(conference)
        except Conflict:
            return RegistrationSetup(
                currency=conference.currency,
                timezone=conference.timezone,
                hold_hours=DEFAULT_HOLD_HOURS,
                meta=ctx.meta(conference.conference_id),
            )

    def _policy(self, setup: RegistrationSetup, conference: Conference) -> dict[str, Any]:
        return setup.refund_policy or refund_rules.default_policy(
            conference.starts_on, conference.ends_on
        )

    def _get_claim(self, claim: Any) -> EmailClaim | None:
        try:
            return self.get(EmailClaim, claim, "claim")
        except NotFound:
            return None

    def _claim(
        self, conference: Conference, email: str, attendee_id: str, meta: dict, where: str
    ) -> EmailClaim:
        """The claim of this email by this attendee, new or taken again; refused, naming
        the email's field, while another live registration holds it."""
        cid = claim_id(conference.conference_id, email)
        claim = self._get_claim(cid)
        field = f"{where}.person.email" if where else "person.email"
        if claim is None:
            return EmailClaim.claim_new(cid, attendee_id, meta)
        try:
            claim.claim(attendee_id, meta)
        except AlreadyRegistered as exc:
            position = f" ({where})" if where else ""
            raise AlreadyRegistered(
                f"{email.strip()}{position} {exc.message}", field=field
            ) from None
        return claim

    def _quota(self, conference_id: str, ticket_type: str) -> Quota | None:
        try:
            return self.get(Quota, quota_id(conference_id, ticket_type), "quota")
        except NotFound:
            return None

    def _attendees(self, order: Order) -> list[Attendee]:
        return [self.attendee(aid) for aid in order.attendee_ids]

    def _free_paid(self, order: Order, attendees: list[Attendee], meta: dict) -> None:
        order.mark_free_paid(meta)
        if order.status == PAID:
            for attendee in attendees:
                attendee.paid_for(None, meta)

    def _release(
        self, order: Order, reason: str, cancelled_by: str | None, refund_due: bool, meta: dict
    ) -> list[Any]:
        """The order's attendees cancelled, their emails, places and voucher uses freed."""
        changed: list[Any] = []
        for attendee in self._attendees(order):
            attendee.cancel(reason, cancelled_by, refund_due, meta)
            claim = self._get_claim(attendee.claim_id)
            if claim is not None:
                claim.release(str(attendee.id), meta)
                changed.append(claim)
            changed.append(attendee)
        for ticket_type in {p["ticket_type"] for p in order.positions}:
            quota = self._quota(order.conference_id, ticket_type)
            if quota is None:
                continue
            quota.release(meta, order_id=str(order.id))
            changed.append(quota)
        for vid in {p["voucher_id"] for p in order.positions if p.get("voucher_id")}:
            voucher = self.get(Voucher, vid, "voucher")
            voucher.give_back(str(order.id), meta)
            changed.append(voucher)
        return changed


def check_publishable(event: Any) -> None:
    envelope = from_domain_event(event, service="registration", notification_id=1, schema_version=1)
    try:
        CATALOG.validate_outgoing(envelope.event_type, envelope.payload)
    except ValidationError as exc:
        field, why = next(iter(exc.normalized_messages().items()))
        raise InvalidCommand(
            f"would make {envelope.event_type} break its contract: {field}: {why}", field=field
        ) from None


def check_consents(person: c.Person, where: str) -> None:
    if REQUIRED_CONSENT not in person.consents:
        raise InvalidCommand(
            f"must include {REQUIRED_CONSENT}: registering needs consent to the handling "
            f"of personal information",
            field=f"{where}.consents",
        )


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
