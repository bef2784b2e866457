"""Orders: placed (with their attendees, email claims, quota places and vouchers, in one
save), approved or denied, cancelled under the refund rules, expired unpaid."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand, NotFound, about
from services.common.store import ChangedMeanwhile

from .. import commands as c
from ..conferences import Conference
from ..domain import (
    Attendee,
    EmailClaim,
    Order,
    Quota,
    RegistrationSetup,
    Voucher,
    normalise_email,
    voucher_id,
)
from ..domain import refunds as refund_rules
from .base import RegistrationBase, check_consents, sha256


@dataclass
class BuiltOrder:
    """An order and what it changes besides itself, ready to save together."""

    order: Order
    attendees: list[Attendee]
    claims: list[EmailClaim]
    quotas: list[Quota]
    vouchers: list[Voucher]

    @property
    def changed(self) -> list[Any]:
        return [self.order, *self.attendees, *self.claims, *self.quotas, *self.vouchers]


class OrderCases(RegistrationBase):
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
        seen: dict[str, int] = {}
        for i, attendee in enumerate(cmd.attendees):
            email = normalise_email(attendee.person.email)
            if email in seen:
                raise InvalidCommand(
                    f"{attendee.person.email} is also attendees[{seen[email]}]'s: "
                    f"each person registers once",
                    field=f"attendees[{i}].person.email",
                )
            seen[email] = i
        built = self._build_order(
            conference,
            setup,
            cmd,
            [sha256(a.person.consent.wording) for a in cmd.attendees],
            expires_at,
            today,
            meta,
        )
        self.save(*built.changed)
        return built.order

    def _build_order(
        self,
        conference: Conference,
        setup: RegistrationSetup,
        cmd: c.PlaceOrder,
        consent_hashes: list[str],
        expires_at: dt.datetime,
        today: str,
        meta: dict,
        quotas: dict[str, Quota] | None = None,
    ) -> BuiltOrder:
        """An order with its attendees, email claims, quota places and vouchers, unsaved;
        refused naming the attendee's field. `quotas` carries the quotas of orders built
        before this one and saved with it (an import), so their places count."""
        order_id = uuid.uuid4()
        lines = []
        for i, attendee in enumerate(cmd.attendees):
            with about(f"attendees[{i}].ticket_type"):
                lines.append(setup.fee_for(attendee.ticket_type, today))
            check_consents(attendee.person, f"attendees[{i}].person")
        prices, voucher_ids, vouchers = self._redeem(
            conference, cmd.attendees, lines, str(order_id), today, meta
        )
        attendee_ids = [uuid.uuid4() for _ in cmd.attendees]
        claims = [
            self._claim(conference, attendee.person.email, str(aid), meta, f"attendees[{i}]")
            for i, (attendee, aid) in enumerate(zip(cmd.attendees, attendee_ids, strict=True))
        ]
        reserved = self._reserve(conference, lines, str(order_id), meta, vouchers, quotas)
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
                consent_sha256=consent_sha256,
                name=a.person.name,
                email=a.person.email.strip(),
                phone=a.person.phone,
                price_minor=price,
                currency=setup.currency,
                claim_id=str(claim.id),
                meta=meta,
            )
            for aid, line, a, claim, price, consent_sha256 in zip(
                attendee_ids, lines, cmd.attendees, claims, prices, consent_hashes, strict=True
            )
        ]
        self._free_paid(order, attendees, meta)
        return BuiltOrder(order, attendees, claims, reserved, vouchers)

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
                released = self._release(order, "not paid in time", None, False, meta)
                self.save(order, *released)
            except (ChangedMeanwhile, NotFound):
                continue  # paid or cancelled at this very moment; the next tick looks again
            expired.append(order_id)
        return expired

    def order_view(self, order_id: Any) -> dict[str, Any]:
        """The order with its attendees (their personal data included: staff only)."""
        order = self.order(order_id)
        return {"order": order, "attendees": self._attendees(order)}

    def _reserve(
        self,
        conference: Conference,
        lines: list[dict[str, Any]],
        order_id: str,
        meta: dict,
        vouchers: list[Voucher],
        held: dict[str, Quota] | None = None,
    ) -> list[Quota]:
        """The order's places in each quota; a place a waiting-list voucher held for this
        order's person passes to the order. A quota in `held` is taken from there (and
        put there when read)."""
        wanted = Counter(line["ticket_type"] for line in lines if line.get("quota"))
        sizes = {line["ticket_type"]: line["quota"] for line in lines if line.get("quota")}
        quotas = []
        for ticket_type, places in wanted.items():
            quota = (held or {}).get(ticket_type) or self._quota(
                conference.conference_id, ticket_type
            )
            if quota is None:
                quota = Quota(ticket_type=ticket_type, meta=meta)
            if held is not None:
                held[ticket_type] = quota
            for voucher in vouchers:
                quota.release(meta, voucher_id=str(voucher.id))
            index = next(i for i, line in enumerate(lines) if line["ticket_type"] == ticket_type)
            with about(f"attendees[{index}].ticket_type"):
                quota.reserve(
                    places,
                    sizes[ticket_type],
                    meta,
                    order_id=order_id,
                    nearly_percent=self.quota_nearly_percent,
                )
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
