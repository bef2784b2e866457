"""Use cases of registration: the conference's fee schedule, channels, targets and refund
rules; orders placed, approved or denied, paid, refunded, cancelled and expired;
attendees substituted. Each use case saves everything it changes in one `save`."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from services.common.domain import Clock, CommandContext, utc_now
from services.common.envelope import from_domain_event
from services.common.errors import Conflict, InvalidCommand, NotFound, about
from services.common.store import ChangedMeanwhile, OnSaved, ServiceApplication

from . import commands as c
from .conferences import Conference, KnownConferences
from .domain import (
    AlreadyRegistered,
    Attendee,
    EmailClaim,
    Order,
    Quota,
    RegistrationSetup,
    Voucher,
    WaitlistEntry,
    claim_id,
    normalise_email,
    quota_id,
    setup_id,
    voucher_id,
)
from .domain import fees as fee_rules
from .domain import refunds as refund_rules
from .domain.orders import PAID
from .events import CATALOG

T = TypeVar("T")
DEFAULT_HOLD_HOURS = 72
REQUIRED_CONSENT = "personal_information"
# Orders racing for the same quota or email retry this often before a 409.
ATTEMPTS = 30
# How long a waiting-list offer holds its place.
OFFER_HOURS = 48
# Voucher codes: made by the service, 16 characters of 32 (80 bits), none confusable.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RegistrationApplication(ServiceApplication):
    name = "registration"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        on_saved: OnSaved | None = None,
        *,
        conferences: KnownConferences,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(env, on_saved)
        self.conferences = conferences
        self.clock = clock

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        """Save, once every new event is known to fit the published contract: an event the
        relay could not publish would hold up every event after it, so a command that
        would make one is refused (naming the field) and nothing is stored."""
        for obj in objs:
            for pending in getattr(obj, "pending_events", ()):
                check_publishable(pending)
        return super().save(*objs, **kwargs)

    # -- set-up -------------------------------------------------------------------------
    def set_fee_schedule(
        self, conference_id: Any, cmd: c.SetFeeSchedule, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        lines = [
            {k: _plain(v) for k, v in line.items() if v is not None} for line in cmd.categories
        ]
        setup.set_fees(lines, ctx.meta(conference.conference_id))
        self.save(setup)
        return setup

    def open_registration(
        self, conference_id: Any, cmd: c.OpenRegistration, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        setup.open(
            cmd.channel,
            list(cmd.payment_methods),
            _day(cmd.closes_on),
            ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def close_registration(
        self, conference_id: Any, cmd: c.CloseRegistration, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        setup.close(cmd.channel, cmd.reason, ctx.meta(conference.conference_id))
        self.save(setup)
        return setup

    def set_targets(
        self, conference_id: Any, cmd: c.SetRegistrationTargets, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        setup.set_targets(
            [{k: _plain(v) for k, v in t.items()} for t in cmd.targets],
            cmd.warn_below_percent,
            list(cmd.categories),
            ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def set_refund_policy(
        self, conference_id: Any, cmd: c.SetRefundPolicy, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        setup.set_refund_policy(
            full_refund_until=cmd.full_refund_until.isoformat(),
            partial_refund_until=_day(cmd.partial_refund_until),
            partial_refund_percent=cmd.partial_refund_percent,
            substitution_until=_day(cmd.substitution_until),
            meta=ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def setup(self, conference_id: Any) -> dict[str, Any]:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        return {
            "conference_id": conference.conference_id,
            "currency": setup.currency,
            "timezone": setup.timezone,
            "hold_hours": setup.hold_hours,
            "fees": setup.fees,
            "channels": setup.channels,
            "targets": setup.targets,
            "refund_policy": self._policy(setup, conference),
            "version": setup.version,
        }

    # -- orders -------------------------------------------------------------------------
    def place_order(self, cmd: c.PlaceOrder, ctx: CommandContext) -> Order:
        """Retried when another order took the same quota's places or the same email at
        the same moment: the retry sees what it took, and is refused if it must be."""
        return self._retrying(lambda: self._place_order(cmd, ctx))

    def _place_order(self, cmd: c.PlaceOrder, ctx: CommandContext) -> Order:
        conference = self._conference(cmd.conference_id)
        setup = self._setup(conference)
        meta = ctx.meta(conference.conference_id)
        now = self.clock()
        today = self._today(conference)
        with about("channel"):
            setup.check_open(cmd.channel, today)
        expires_at = cmd.expires_at or now + dt.timedelta(hours=setup.hold_hours)
        if expires_at <= now:
            raise InvalidCommand("must be in the future", field="expires_at")
        if cmd.buyer_kind == "organisation" and not cmd.buyer_organisation:
            raise InvalidCommand(
                "is required when the buyer is an organisation", field="buyer_organisation"
            )
        order_id = uuid.uuid4()
        lines = []
        seen: dict[str, int] = {}
        for i, attendee in enumerate(cmd.attendees):
            with about(f"attendees[{i}].ticket_type"):
                lines.append(setup.fee_for(attendee.ticket_type, today))
            email = normalise_email(attendee.person.email)
            if email in seen:
                raise InvalidCommand(
                    f"{attendee.person.email} is also attendees[{seen[email]}]'s: "
                    f"each person registers once",
                    field=f"attendees[{i}].person.email",
                )
            seen[email] = i
            _check_consents(attendee.person, f"attendees[{i}].person")
        prices, voucher_ids, vouchers = self._redeem(
            conference, cmd.attendees, lines, str(order_id), today, meta
        )
        attendee_ids = [uuid.uuid4() for _ in cmd.attendees]
        claims = [
            self._claim(conference, attendee.person.email, str(aid), meta, f"attendees[{i}]")
            for i, (attendee, aid) in enumerate(zip(cmd.attendees, attendee_ids, strict=True))
        ]
        quotas = self._reserve(conference, lines, str(order_id), meta, vouchers)
        positions = [
            {
                "attendee_id": str(aid),
                "category": line["category"],
                "ticket_type": line["ticket_type"],
                "price_minor": price,
                **({"voucher_id": vid} if vid else {}),
            }
            for aid, line, price, vid in zip(attendee_ids, lines, prices, voucher_ids, strict=True)
        ]
        order = Order.place(
            order_id,
            buyer_kind=cmd.buyer_kind,
            buyer_organisation=cmd.buyer_organisation,
            channel=cmd.channel,
            positions=positions,
            fees_minor=0,
            total_minor=sum(p["price_minor"] for p in positions),
            currency=setup.currency,
            requires_approval=any(line.get("requires_approval") for line in lines),
            expires_at=expires_at.astimezone(dt.UTC).isoformat(),
            buyer_name=cmd.buyer_name,
            buyer_email=cmd.buyer_email,
            buyer_phone=cmd.buyer_phone,
            meta=meta,
        )
        attendees = [
            Attendee.register(
                aid,
                category=line["category"],
                order_id=str(order_id),
                ticket_type=line["ticket_type"],
                organisation=a.organisation,
                industry=a.industry,
                seniority=a.seniority,
                country=a.country,
                source_campaign=a.source_campaign,
                consents=list(a.person.consents),
                consent_version=a.person.consent.version,
                consent_sha256=_sha256(a.person.consent.wording),
                name=a.person.name,
                email=a.person.email.strip(),
                phone=a.person.phone,
                price_minor=price,
                currency=setup.currency,
                claim_id=str(claim.id),
                meta=meta,
            )
            for aid, line, a, claim, price in zip(
                attendee_ids, lines, cmd.attendees, claims, prices, strict=True
            )
        ]
        self._free_paid(order, attendees, meta)
        self.save(order, *attendees, *claims, *quotas, *vouchers)
        return order

    def approve_order(self, order_id: Any, cmd: c.ApproveOrder, ctx: CommandContext) -> Order:
        order = self.order(order_id)
        meta = ctx.meta(order.conference_id)
        with about("order_id"):
            order.approve(cmd.approved_by or ctx.actor, meta)
        attendees = self._attendees(order)
        self._free_paid(order, attendees, meta)
        self.save(order, *attendees)
        return order

    def deny_order(self, order_id: Any, cmd: c.DenyOrder, ctx: CommandContext) -> Order:
        def deny() -> Order:
            order = self.order(order_id)
            meta = ctx.meta(order.conference_id)
            with about("order_id"):
                order.deny(cmd.reason, meta)
            released = self._release(order, cmd.reason, "organiser", False, meta)
            self.save(order, *released)
            return order

        return self._retrying(deny)

    def record_payment(self, order_id: Any, cmd: c.RecordPayment, ctx: CommandContext) -> Order:
        order = self.order(order_id)
        meta = ctx.meta(order.conference_id)
        with about("order_id"):
            paid_in_full = order.receive_payment(
                payment_id=str(uuid.uuid4()),
                method=cmd.method,
                amount_minor=cmd.amount_minor,
                currency=cmd.currency,
                fee_minor=cmd.fee_minor,
                provider_reference=cmd.provider_reference,
                received_on=cmd.received_on.isoformat(),
                meta=meta,
            )
        attendees = self._attendees(order) if paid_in_full else []
        for attendee in attendees:
            attendee.paid_for(cmd.method, meta)
        self.save(order, *attendees)
        return order

    def request_refund(self, order_id: Any, cmd: c.RequestRefund, ctx: CommandContext) -> Order:
        order = self.order(order_id)
        with about("order_id"):
            order.request_refund(
                str(uuid.uuid4()),
                cmd.amount_minor,
                cmd.reason,
                cmd.source,
                ctx.meta(order.conference_id),
            )
        self.save(order)
        return order

    def complete_refund(
        self, order_id: Any, refund_id: Any, cmd: c.CompleteRefund, ctx: CommandContext
    ) -> Order:
        """The refund reached the payer. When the order's refunds then return every fee
        paid, each attendee paid for has RefundIssued (a partial refund issues none)."""
        order = self.order(order_id)
        meta = ctx.meta(order.conference_id)
        with about("refund_id"):
            order.complete_refund(str(refund_id), cmd.method, cmd.completed_on.isoformat(), meta)
        attendees = []
        if order.fully_paid and order.refunded_minor >= order.total_minor:
            attendees = self._attendees(order)
            for attendee in attendees:
                attendee.refund_issued(str(refund_id), meta)
        self.save(order, *attendees)
        return order

    def cancel_order(self, order_id: Any, cmd: c.CancelOrder, ctx: CommandContext) -> Order:
        """Cancel, paid or not, under the conference's refund rules (domain/refunds.py): the
        refund due is requested with it, for finance to complete."""

        def cancel() -> Order:
            order = self.order(order_id)
            conference = self._conference(order.conference_id)
            policy = self._policy(self._setup(conference), conference)
            meta = ctx.meta(order.conference_id)
            by_organiser = cmd.cancelled_by == "organiser"
            due = refund_rules.refund_due(
                policy, order.refundable_minor, self._today(conference), by_organiser
            )
            with about("order_id"):
                order.cancel(cmd.cancelled_by, cmd.reason, meta)
            if due:
                order.request_refund(
                    str(uuid.uuid4()),
                    due,
                    "attendee_cancelled" if not by_organiser else "other",
                    "organiser" if by_organiser else "buyer",
                    meta,
                )
            released = self._release(order, cmd.reason, cmd.cancelled_by, due > 0, meta)
            self.save(order, *released)
            return order

        return self._retrying(cancel)

    def expire_due(self, order_ids: list[str], ctx: CommandContext) -> list[str]:
        """Expire those of these orders still open past their `expires_at`; which did."""
        now = self.clock()
        expired = []
        for order_id in order_ids:
            try:
                order = self.order(order_id)
                if not order.open or dt.datetime.fromisoformat(order.expires_at) > now:
                    continue
                meta = ctx.meta(order.conference_id)
                order.expire(meta)
                released = self._release(order, "not paid in time", "organiser", False, meta)
                self.save(order, *released)
            except (ChangedMeanwhile, NotFound):
                continue  # paid or cancelled at this very moment; the next tick looks again
            expired.append(order_id)
        return expired

    # -- vouchers and the waiting list -----------------------------------------------------
    def issue_voucher(
        self, conference_id: Any, cmd: c.IssueVoucher, ctx: CommandContext
    ) -> Voucher:
        """A voucher with a new code (shown once, in the answer; never published)."""
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        if cmd.ticket_type and cmd.ticket_type not in fee_rules.ticket_types(setup.fees):
            raise InvalidCommand(f"unknown ticket type {cmd.ticket_type!r}", field="ticket_type")
        code = new_code()
        voucher = Voucher.issue(
            voucher_id(conference.conference_id, code),
            purpose=cmd.purpose,
            price_mode=cmd.price_mode,
            value=cmd.value,
            max_usages=cmd.max_usages,
            ticket_type=cmd.ticket_type,
            valid_until=_day(cmd.valid_until),
            code=code,
            meta=ctx.meta(conference.conference_id),
        )
        self.save(voucher)
        return voucher

    def join_waitlist(self, cmd: c.JoinWaitlist, ctx: CommandContext) -> WaitlistEntry:
        """Wait for a ticket type whose quota is sold out (with places left, order one)."""
        conference = self._conference(cmd.conference_id)
        setup = self._setup(conference)
        with about("ticket_type"):
            line = setup.fee_for(cmd.ticket_type, self._today(conference))
        size = line.get("quota")
        if not size:
            raise Conflict(
                f"ticket type {cmd.ticket_type} has no quota: order it instead",
                field="ticket_type",
            )
        quota = self._quota(conference.conference_id, cmd.ticket_type)
        left = quota.left(size) if quota else size
        if left:
            raise Conflict(
                f"{left} places of ticket type {cmd.ticket_type} are left: order one instead",
                field="ticket_type",
            )
        _check_consents(cmd.person, "person")
        entry = WaitlistEntry.join(
            uuid.uuid4(),
            ticket_type=cmd.ticket_type,
            category=line["category"],
            name=cmd.person.name,
            email=cmd.person.email.strip(),
            phone=cmd.person.phone,
            consents=list(cmd.person.consents),
            consent_version=cmd.person.consent.version,
            consent_sha256=_sha256(cmd.person.consent.wording),
            meta=ctx.meta(conference.conference_id),
        )
        self.save(entry)
        return entry

    def offer_places(
        self, conference_id: str, ticket_type: str, entry_ids: list[str], ctx: CommandContext
    ) -> list[str]:
        """Offer the places free now to these entries, in their order, each by a voucher
        that holds its place for OFFER_HOURS; which were offered. Another command taking
        the quota meanwhile stops it: the next round goes on."""
        conference = self._conference(conference_id)
        line = fee_rules.ticket_types(self._setup(conference).fees).get(ticket_type, {})
        size = line.get("quota")
        meta = ctx.meta(conference_id)
        offered: list[str] = []
        for entry_id in entry_ids if size else []:
            quota = self._quota(conference_id, ticket_type) or Quota(
                ticket_type=ticket_type, meta=meta
            )
            if not quota.left(size):
                break
            entry = self.get(WaitlistEntry, entry_id, "waiting-list entry")
            if entry.status != "waiting":
                continue
            code = new_code()
            vid = voucher_id(conference_id, code)
            expires = self.clock() + dt.timedelta(hours=OFFER_HOURS)
            zone = ZoneInfo(conference.timezone)
            voucher = Voucher.issue(
                vid,
                purpose="waitlist",
                price_mode="subtract",
                value=0,
                max_usages=1,
                ticket_type=ticket_type,
                valid_until=expires.astimezone(zone).date().isoformat(),
                code=code,
                meta=meta,
            )
            quota.reserve(1, size, meta, voucher_id=str(vid))
            entry.offer(str(vid), expires.astimezone(dt.UTC).isoformat(), meta)
            try:
                self.save(voucher, quota, entry)
            except ChangedMeanwhile:
                break
            offered.append(entry_id)
        return offered

    def lapse_offers(self, entry_ids: list[str], ctx: CommandContext) -> list[str]:
        """The offers past their time and not taken: their places go back to the quota."""
        now = self.clock()
        lapsed = []
        for entry_id in entry_ids:
            entry = self.get(WaitlistEntry, entry_id, "waiting-list entry")
            if entry.status != "offered" or entry.offer_expires_at is None:
                continue
            if dt.datetime.fromisoformat(entry.offer_expires_at) > now:
                continue
            voucher = self.get(Voucher, entry.voucher_id, "voucher")
            if voucher.usages:
                continue  # taken: the order holds the place now
            meta = ctx.meta(entry.conference_id)
            entry.lapse(meta)
            quota = self._quota(entry.conference_id, entry.ticket_type)
            changed: list[Any] = [entry]
            if quota is not None:
                quota.release(meta, voucher_id=str(voucher.id))
                changed.append(quota)
            try:
                self.save(*changed)
            except ChangedMeanwhile:
                continue
            lapsed.append(entry_id)
        return lapsed

    def waitlist_entry(self, entry_id: Any) -> dict[str, Any]:
        """The entry, with its offer's voucher code for staff to pass on (never published)."""
        entry = self.get(WaitlistEntry, entry_id, "waiting-list entry", "entry_id")
        code = None
        if entry.voucher_id:
            code = self.get(Voucher, entry.voucher_id, "voucher").code
        return {"entry": entry, "voucher_code": code}

    # -- attendees ----------------------------------------------------------------------
    def substitute_attendee(
        self, attendee_id: Any, cmd: c.SubstituteAttendee, ctx: CommandContext
    ) -> Attendee:
        def substitute() -> Attendee:
            attendee = self.attendee(attendee_id)
            order = self.order(attendee.order_id)
            conference = self._conference(attendee.conference_id)
            policy = self._policy(self._setup(conference), conference)
            today = self._today(conference)
            if not refund_rules.may_substitute(policy, today):
                raise Conflict(
                    f"substitutions ended on {policy['substitution_until']}",
                    field="attendee_id",
                )
            if not order.open and order.status != PAID:
                raise Conflict(f"the attendee's order is {order.status}", field="attendee_id")
            _check_consents(cmd.person, "person")
            meta = ctx.meta(attendee.conference_id)
            old = self._get_claim(attendee.claim_id)
            if normalise_email(cmd.person.email) == normalise_email(attendee.email):
                raise InvalidCommand(
                    "is the attendee's own email: a substitute is another person",
                    field="person.email",
                )
            new = self._claim(conference, cmd.person.email, str(attendee.id), meta, "")
            with about("attendee_id"):
                attendee.substitute(
                    reason=cmd.reason,
                    consents=list(cmd.person.consents),
                    consent_version=cmd.person.consent.version,
                    consent_sha256=_sha256(cmd.person.consent.wording),
                    name=cmd.person.name,
                    email=cmd.person.email.strip(),
                    phone=cmd.person.phone,
                    claim_id=str(new.id),
                    meta=meta,
                )
            saved: list[Any] = [attendee, new]
            if old is not None:
                old.release(str(attendee.id), meta)
                saved.append(old)
            self.save(*saved)
            return attendee

        return self._retrying(substitute)

    # -- reads --------------------------------------------------------------------------
    def order(self, order_id: Any) -> Order:
        return self.get(Order, order_id, "order", "order_id")

    def attendee(self, attendee_id: Any) -> Attendee:
        return self.get(Attendee, attendee_id, "attendee", "attendee_id")

    def order_view(self, order_id: Any) -> dict[str, Any]:
        """The order with its attendees (their personal data included: staff only)."""
        order = self.order(order_id)
        return {"order": order, "attendees": self._attendees(order)}

    # -- helpers ------------------------------------------------------------------------
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

    def _reserve(
        self,
        conference: Conference,
        lines: list[dict[str, Any]],
        order_id: str,
        meta: dict,
        vouchers: list[Voucher],
    ) -> list[Quota]:
        """The order's places in each quota; a place a waiting-list voucher held for this
        order's person passes to the order."""
        wanted = Counter(line["ticket_type"] for line in lines if line.get("quota"))
        sizes = {line["ticket_type"]: line["quota"] for line in lines if line.get("quota")}
        quotas = []
        for ticket_type, places in wanted.items():
            quota = self._quota(conference.conference_id, ticket_type) or Quota(
                ticket_type=ticket_type, meta=meta
            )
            for voucher in vouchers:
                quota.release(meta, voucher_id=str(voucher.id))
            index = next(i for i, line in enumerate(lines) if line["ticket_type"] == ticket_type)
            with about(f"attendees[{index}].ticket_type"):
                quota.reserve(places, sizes[ticket_type], meta, order_id=order_id)
            quotas.append(quota)
        return quotas

    def _redeem(
        self,
        conference: Conference,
        attendees: tuple[c.AttendeeLine, ...],
        lines: list[dict[str, Any]],
        order_id: str,
        today: str,
        meta: dict,
    ) -> tuple[list[int], list[str | None], list[Voucher]]:
        """Each position's price with its voucher, which voucher, and the vouchers used
        (each once per position it prices)."""
        prices = [line["price_minor"] for line in lines]
        used_by: list[str | None] = [None] * len(lines)
        used: dict[str, tuple[Voucher, list[int]]] = {}
        for i, attendee in enumerate(attendees):
            if not attendee.voucher_code:
                continue
            vid = str(voucher_id(conference.conference_id, attendee.voucher_code))
            if vid not in used:
                try:
                    used[vid] = (self.get(Voucher, vid, "voucher"), [])
                except NotFound:
                    raise InvalidCommand(
                        "no voucher of this conference has that code",
                        field=f"attendees[{i}].voucher_code",
                    ) from None
            used[vid][1].append(i)
        for voucher, positions in used.values():
            with about(f"attendees[{positions[0]}].voucher_code"):
                voucher.redeem(order_id, [lines[i]["ticket_type"] for i in positions], today, meta)
            for i in positions:
                prices[i] = voucher.price(lines[i]["price_minor"])
                used_by[i] = str(voucher.id)
        return prices, used_by, [voucher for voucher, _ in used.values()]

    def _attendees(self, order: Order) -> list[Attendee]:
        return [self.attendee(aid) for aid in order.attendee_ids]

    def _free_paid(self, order: Order, attendees: list[Attendee], meta: dict) -> None:
        order.mark_free_paid(meta)
        if order.status == PAID:
            for attendee in attendees:
                attendee.paid_for(None, meta)

    def _release(
        self, order: Order, reason: str, cancelled_by: str, refund_due: bool, meta: dict
    ) -> list[Any]:
        """The order's attendees cancelled, their emails and places freed."""
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


def _check_consents(person: c.Person, where: str) -> None:
    if REQUIRED_CONSENT not in person.consents:
        raise InvalidCommand(
            f"must include {REQUIRED_CONSENT}: registering needs consent to the handling "
            f"of personal information",
            field=f"{where}.consents",
        )


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
