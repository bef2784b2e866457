"""Fapiao of registration fees: requested for money an order has paid and no other fapiao
covers (the request withdrawn, if need be, before it is issued), issued with amounts split
exactly from the gross, handed over, reversed by a red-letter fapiao. A refund cannot
complete while the fapiao issued would cover more than the order keeps: the red-letter
one comes first (docs/registration.md, "Fapiao")."""

from __future__ import annotations

from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound, about

from .. import commands as c
from ..domain import Order
from ..domain.fapiao import (
    HANDED_OVER,
    ISSUED,
    MAX_PER_ORDER,
    REQUESTED,
    Fapiao,
    fapiao_id,
    invoiceable_minor,
)
from .base import RegistrationBase


def kept_minor(order: Order) -> int:
    """What the order keeps of the money paid: no more than it costs (an overpayment is
    to be refunded, not invoiced), less what is refunded or being refunded."""
    return max(min(order.refundable_minor, order.total_minor), 0)


class FapiaoCases(RegistrationBase):
    def request_fapiao(
        self, conference_id: Any, order_id: Any, cmd: c.RequestFapiao, ctx: CommandContext
    ) -> Fapiao:
        """A new fapiao of the order, for `amount_minor` (all it may still invoice when
        absent). Two racing for one order take the same id: the second retries."""
        return self._retrying(lambda: self._request(conference_id, order_id, cmd, ctx))

    def _request(
        self, conference_id: Any, order_id: Any, cmd: c.RequestFapiao, ctx: CommandContext
    ) -> Fapiao:
        order = self._order_in(conference_id, order_id)
        existing = self.order_fapiao(order.id)
        if len(existing) >= MAX_PER_ORDER:
            raise Conflict(f"order {order.id} has {MAX_PER_ORDER} fapiao already", "order_id")
        free = invoiceable_minor(kept_minor(order), existing)
        if free == 0:
            raise Conflict(
                f"order {order.id} has no paid money left to invoice (paid and kept "
                f"{kept_minor(order)}, all covered by its fapiao)",
                "order_id",
            )
        amount = cmd.amount_minor if cmd.amount_minor is not None else free
        if amount > free:
            raise InvalidCommand(
                f"must be at most {free}: what the order paid and kept ({kept_minor(order)}) "
                f"less what its fapiao cover",
                "amount_minor",
            )
        buyer_kind = cmd.buyer_kind or order.buyer_kind
        fapiao = Fapiao.request(
            fapiao_id(order.id, len(existing) + 1),
            order_id=str(order.id),
            fapiao_type=cmd.fapiao_type,
            buyer_kind=buyer_kind,
            buyer_name=cmd.buyer_name,
            buyer_tax_id=cmd.buyer_tax_id,
            buyer_address_phone=_joined(cmd.buyer_address, cmd.buyer_phone),
            buyer_bank_account=_joined(cmd.buyer_bank, cmd.buyer_account),
            item=cmd.item,
            delivery=cmd.delivery,
            gross_minor=amount,
            tax_rate_bp=self._tax_rate(order, cmd.tax_rate_bp),
            currency=order.currency,
            meta=ctx.meta(order.conference_id),
        )
        self.save(fapiao)
        return fapiao

    def issue_fapiao(
        self, conference_id: Any, fid: Any, cmd: c.IssueFapiao, ctx: CommandContext
    ) -> Fapiao:
        """Issued as requested; refused if a refund since left the order keeping less
        than its issued fapiao would then cover."""
        fapiao = self.fapiao(conference_id, fid)
        order = self.order(fapiao.order_id)
        issued = [f for f in self.order_fapiao(order.id) if f.state in (ISSUED, HANDED_OVER)]
        covered = sum(f.held_minor for f in issued) + fapiao.gross_minor
        if fapiao.state == REQUESTED and covered > kept_minor(order):
            raise Conflict(
                f"order {order.id} keeps {kept_minor(order)} since a refund; issued, its "
                f"fapiao would cover {covered}: request a fapiao for what it keeps instead",
                "fapiao_id",
            )
        with about("fapiao_id"):
            fapiao.issue_as(
                fapiao_number=cmd.fapiao_number,
                fapiao_code=cmd.fapiao_code,
                medium=cmd.medium,
                issued_on=cmd.issued_on.isoformat(),
                attendee_ids=order.attendee_ids,
                meta=ctx.meta(fapiao.conference_id),
            )
        self.save(fapiao)
        return fapiao

    def hand_over_fapiao(
        self, conference_id: Any, fid: Any, cmd: c.HandOverFapiao, ctx: CommandContext
    ) -> Fapiao:
        fapiao = self.fapiao(conference_id, fid)
        with about("fapiao_id"):
            fapiao.hand_over(
                how=cmd.how,
                signed_for=cmd.signed_for,
                handed_to=cmd.handed_to,
                handed_on=cmd.handed_on.isoformat(),
                meta=ctx.meta(fapiao.conference_id),
            )
        self.save(fapiao)
        return fapiao

    def withdraw_fapiao(
        self, conference_id: Any, fid: Any, cmd: c.WithdrawFapiao, ctx: CommandContext
    ) -> Fapiao:
        """The buyer's request withdrawn before it is issued: its money is free again."""
        fapiao = self.fapiao(conference_id, fid)
        with about("fapiao_id"):
            fapiao.withdraw(reason=cmd.reason, meta=ctx.meta(fapiao.conference_id))
        self.save(fapiao)
        return fapiao

    def reverse_fapiao(
        self, conference_id: Any, fid: Any, cmd: c.ReverseFapiao, ctx: CommandContext
    ) -> Fapiao:
        fapiao = self.fapiao(conference_id, fid)
        with about("fapiao_id"):
            fapiao.reverse(
                red_fapiao_number=cmd.red_fapiao_number,
                red_confirmation_number=cmd.red_confirmation_number,
                reason=cmd.reason,
                reversed_on=cmd.reversed_on.isoformat(),
                meta=ctx.meta(fapiao.conference_id),
                amount_minor=cmd.amount_minor,
            )
        self.save(fapiao)
        return fapiao

    # -- what queries read -----------------------------------------------------------------
    def fapiao(self, conference_id: Any, fid: Any) -> Fapiao:
        fapiao = self.get(Fapiao, fid, "fapiao", "fapiao_id")
        if fapiao.conference_id != str(conference_id):
            raise NotFound(f"no fapiao {fid} in conference {conference_id}", "fapiao_id")
        return fapiao

    def order_fapiao(self, order_id: Any) -> list[Fapiao]:
        return fapiao_of(self, order_id)

    def order_fapiao_view(self, conference_id: Any, order_id: Any) -> dict[str, Any]:
        order = self._order_in(conference_id, order_id)
        fapiao = self.order_fapiao(order.id)
        return {
            "fapiao": fapiao,
            "invoiceable_minor": invoiceable_minor(kept_minor(order), fapiao),
            "open": sum(1 for f in fapiao if f.state == REQUESTED),
        }

    def _order_in(self, conference_id: Any, order_id: Any) -> Order:
        order = self.order(order_id)
        if order.conference_id != str(conference_id):
            raise NotFound(f"no order {order_id} in conference {conference_id}", "order_id")
        return order

    def _tax_rate(self, order: Order, asked: int | None) -> int:
        """The rate asked for, or the one the fee schedule gives the order's tickets."""
        if asked is not None:
            return asked
        setup = self._setup(self._conference(order.conference_id))
        types = {p["ticket_type"] for p in order.positions}
        rates = {line["tax_rate_bp"] for line in setup.fees if line["ticket_type"] in types}
        if len(rates) != 1:
            raise InvalidCommand(
                f"is required: the order's tickets carry {len(rates)} tax rates in the fee "
                f"schedule, not one",
                "tax_rate_bp",
            )
        return rates.pop()


def fapiao_of(app: RegistrationBase, order_id: Any) -> list[Fapiao]:
    """The order's fapiao in the order they were requested."""
    found: list[Fapiao] = []
    for place in range(1, MAX_PER_ORDER + 1):
        if not app.exists(fapiao_id(order_id, place)):
            break
        found.append(app.get(Fapiao, fapiao_id(order_id, place), "fapiao"))
    return found


def refuse_refund_over_fapiao(app: RegistrationBase, order: Order, refund_minor: int) -> None:
    """A refund may complete only while the fapiao issued for the order cover no more than
    it keeps after it: otherwise a red-letter fapiao (whole or partial) must reverse one
    first (the tax
    bureau's order: reverse, then refund)."""
    issued = [f for f in fapiao_of(app, order.id) if f.state in (ISSUED, HANDED_OVER)]
    covered = sum(f.held_minor for f in issued)  # less what red-letter ones took back
    paid = order.paid_minor - order.refunded_minor - refund_minor
    keeps = max(min(paid, order.total_minor), 0)
    if covered > keeps:
        raise Conflict(
            f"the order's issued fapiao cover {covered} and it would keep {keeps}: reverse "
            f"them by a red-letter fapiao first (then request one for what it keeps)",
            "refund_id",
        )


def _joined(first: str | None, second: str | None) -> str | None:
    """As a 专票 prints them: address and phone on one line, bank and account on another."""
    parts = [p.strip() for p in (first, second) if p]
    return " ".join(parts) or None
