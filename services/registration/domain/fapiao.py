"""The fapiao (发票) of a registration fee: asked for by an order's buyer (who may withdraw
the request until it is issued), issued by finance, handed over, and reversed by a
red-letter fapiao (红字发票), in whole or in part (部分红冲, as often as need be, never
beyond its gross). An issued fapiao is never edited: a wrong one is reversed and asked
for again.

Its id derives from its order and its place among the order's fapiao (`fapiao_id`), so
that two requests racing for the same order's money cannot both be stored: the second
finds the id taken, reloads and is checked against the first.
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .fapiao_tax import split_gross
from .ids import NAMESPACE

REQUESTED = "requested"
ISSUED = "issued"
HANDED_OVER = "handed_over"
REVERSED = "reversed"
WITHDRAWN = "withdrawn"
# A fapiao holds money of its order (no other may invoice it) until it is reversed or,
# not yet issued, withdrawn.
HOLDING = (REQUESTED, ISSUED, HANDED_OVER)
MAX_PER_ORDER = 50


def fapiao_id(order_id: Any, place: int) -> uuid.UUID:
    """The id of the order's `place`-th fapiao (1, 2, ...)."""
    return uuid.uuid5(NAMESPACE, f"fapiao/{order_id}/{place}")


class FapiaoStateError(Conflict):
    pass


def _fields(domain_event: Any) -> dict[str, Any]:
    """What an event says, less its identity and meta: the aggregate's record of it."""
    skip = {"originator_id", "originator_version", "timestamp", "meta"}
    return {k: v for k, v in vars(domain_event).items() if k not in skip}


def invoiceable_minor(paid_net_minor: int, fapiao: list[Fapiao]) -> int:
    """What of an order's money may still be invoiced: what was paid less what is refunded
    or being refunded, less what its fapiao still hold (`Fapiao.held_minor`)."""
    return max(paid_net_minor - sum(f.held_minor for f in fapiao), 0)


def open_count(fapiao: list[Fapiao], paid_net_minor: int) -> int:
    """The fapiao of an order still to act on (OrderReconciled's `fapiao_open`): each one
    requested and not issued, and, when what the fapiao issued still hold is more than the
    order kept (a refund), each issued one still to reverse by a red-letter one, in part or
    in full."""
    waiting = sum(1 for f in fapiao if f.state == REQUESTED)
    issued = [f for f in fapiao if f.state in (ISSUED, HANDED_OVER)]
    if sum(f.held_minor for f in issued) > paid_net_minor:
        return waiting + len(issued)
    return waiting


class Fapiao(Aggregate):
    class FapiaoRequested(Aggregate.Created):
        order_id: str
        fapiao_type: str
        buyer_kind: str
        buyer_name: str
        buyer_tax_id: str | None
        buyer_address_phone: str | None
        buyer_bank_account: str | None
        item: str
        delivery: str
        gross_minor: int
        tax_rate_bp: int
        currency: str
        meta: dict[str, Any]
        published_when_set = ("buyer_tax_id", "buyer_address_phone", "buyer_bank_account")

    @classmethod
    def request(cls, fid: Any, **kwargs: Any) -> Fapiao:
        if kwargs["gross_minor"] <= 0:
            raise InvalidCommand("must be more than 0", field="amount_minor")
        kind, fapiao_type = kwargs["buyer_kind"], kwargs["fapiao_type"]
        if not kwargs["buyer_tax_id"] and (kind, fapiao_type) != ("individual", "vat_ordinary"):
            raise InvalidCommand(
                f"is required on a {fapiao_type} fapiao of an {kind} buyer: only an "
                f"individual's vat_ordinary fapiao may go without",
                field="buyer_tax_id",
            )
        return cls._create(cls.FapiaoRequested, id=fid, **kwargs)

    @event(FapiaoRequested)
    def __init__(
        self,
        order_id: str,
        fapiao_type: str,
        buyer_kind: str,
        buyer_name: str,
        buyer_tax_id: str | None,
        buyer_address_phone: str | None,
        buyer_bank_account: str | None,
        item: str,
        delivery: str,
        gross_minor: int,
        tax_rate_bp: int,
        currency: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.order_id = order_id
        self.fapiao_type = fapiao_type
        self.buyer_kind = buyer_kind
        self.buyer_name = buyer_name
        self.buyer_tax_id = buyer_tax_id
        self.buyer_address_phone = buyer_address_phone
        self.buyer_bank_account = buyer_bank_account
        self.item = item
        self.delivery = delivery
        self.gross_minor = gross_minor
        self.tax_rate_bp = tax_rate_bp
        self.currency = currency
        self.state = REQUESTED
        self.issue: dict[str, Any] | None = None
        self.handover: dict[str, Any] | None = None
        self.reversal: dict[str, Any] | None = None  # the latest red-letter fapiao
        self.reversals: list[dict[str, Any]] = []
        self.reversed_minor = 0
        self.withdrawal: dict[str, Any] | None = None

    @property
    def number(self) -> str | None:
        return self.issue["fapiao_number"] if self.issue else None

    @property
    def held_minor(self) -> int:
        """The order's money this fapiao holds: its gross less what red-letter fapiao took
        back; none once withdrawn or reversed in full."""
        return self.gross_minor - self.reversed_minor if self.state in HOLDING else 0

    # -- withdrawal -----------------------------------------------------------------------
    class FapiaoRequestWithdrawn(Aggregate.Event):
        order_id: str
        gross_minor: int
        currency: str
        reason: str
        meta: dict[str, Any]

        def apply(self, aggregate: Fapiao) -> None:
            aggregate.state = WITHDRAWN
            aggregate.withdrawal = _fields(self)

    def withdraw(self, reason: str, meta: dict[str, Any]) -> None:
        """The buyer no longer wants it: only before it is issued, since an issued fapiao
        is taken back by a red-letter one instead. The money it held may be invoiced
        again."""
        if self.state != REQUESTED:
            issued = self.state in (ISSUED, HANDED_OVER)
            raise FapiaoStateError(
                f"fapiao {self.id} is {self.state}: only a fapiao requested and not yet "
                f"issued is withdrawn" + ("; reverse it by a red-letter fapiao" if issued else "")
            )
        if not reason.strip():
            raise InvalidCommand("must say why the request is withdrawn", field="reason")
        self.trigger_event(
            self.FapiaoRequestWithdrawn,
            order_id=self.order_id,
            gross_minor=self.gross_minor,
            currency=self.currency,
            reason=reason,
            meta=meta,
        )

    # -- issue --------------------------------------------------------------------------
    class FapiaoIssued(Aggregate.Event):
        order_id: str
        attendee_ids: list[str]
        fapiao_number: str
        fapiao_code: str | None
        fapiao_type: str
        medium: str
        item: str
        issued_on: str
        delivery: str
        buyer_name: str
        buyer_tax_id: str | None
        net_minor: int
        tax_rate_bp: int
        tax_minor: int
        gross_minor: int
        currency: str
        meta: dict[str, Any]
        published_when_set = ("fapiao_code", "buyer_tax_id")

        def apply(self, aggregate: Fapiao) -> None:
            aggregate.state = ISSUED
            aggregate.issue = _fields(self)

    def issue_as(
        self,
        fapiao_number: str,
        fapiao_code: str | None,
        medium: str,
        issued_on: str,
        attendee_ids: list[str],
        meta: dict[str, Any],
    ) -> None:
        if self.state != REQUESTED:
            raise FapiaoStateError(f"fapiao {self.id} is {self.state}, not waiting to be issued")
        if medium == "digital" and fapiao_code:
            raise InvalidCommand("a 数电票 (digital) has no fapiao code", field="fapiao_code")
        if medium != "digital" and not fapiao_code:
            raise InvalidCommand(
                f"is required on an {medium} fapiao (10 or 12 digits)", field="fapiao_code"
            )
        net, tax, gross = split_gross(self.gross_minor, self.tax_rate_bp)
        self.trigger_event(
            self.FapiaoIssued,
            order_id=self.order_id,
            attendee_ids=list(attendee_ids),
            fapiao_number=fapiao_number,
            fapiao_code=fapiao_code,
            fapiao_type=self.fapiao_type,
            medium=medium,
            item=self.item,
            issued_on=issued_on,
            delivery=self.delivery,
            buyer_name=self.buyer_name,
            buyer_tax_id=self.buyer_tax_id,
            net_minor=net,
            tax_rate_bp=self.tax_rate_bp,
            tax_minor=tax,
            gross_minor=gross,
            currency=self.currency,
            meta=meta,
        )

    # -- handover -----------------------------------------------------------------------
    class FapiaoHandedOver(Aggregate.Event):
        fapiao_number: str
        how: str
        signed_for: bool
        handed_to: str | None
        handed_on: str
        meta: dict[str, Any]
        unpublished = ("handed_to",)  # a person's name stays in the store (PIPL)

        def apply(self, aggregate: Fapiao) -> None:
            aggregate.state = HANDED_OVER
            aggregate.handover = _fields(self)

    def hand_over(
        self,
        how: str,
        signed_for: bool,
        handed_to: str | None,
        handed_on: str,
        meta: dict[str, Any],
    ) -> None:
        if self.state != ISSUED:
            raise FapiaoStateError(
                f"fapiao {self.id} is {self.state}: only an issued fapiao is handed over"
            )
        if how == "onsite" and not handed_to:
            raise InvalidCommand("is required when handed over on site", field="handed_to")
        self.trigger_event(
            self.FapiaoHandedOver,
            fapiao_number=self.number,
            how=how,
            signed_for=signed_for,
            handed_to=handed_to,
            handed_on=handed_on,
            meta=meta,
        )

    # -- reversal -----------------------------------------------------------------------
    class FapiaoReversed(Aggregate.Event):
        order_id: str
        fapiao_number: str
        red_fapiao_number: str
        red_confirmation_number: str | None
        reason: str
        partial: bool
        reversed_on: str
        net_minor: int
        tax_rate_bp: int
        tax_minor: int
        gross_minor: int
        remaining_minor: int
        currency: str
        meta: dict[str, Any]
        published_when_set = ("red_confirmation_number",)

        def apply(self, aggregate: Fapiao) -> None:
            # From the amount taken back, not `remaining_minor`: reversals stored before
            # partial ones existed lack it, and each of them took back the whole gross.
            aggregate.reversal = _fields(self)
            aggregate.reversals.append(aggregate.reversal)
            aggregate.reversed_minor += self.gross_minor
            if aggregate.reversed_minor >= aggregate.gross_minor:
                aggregate.state = REVERSED

    def reverse(
        self,
        red_fapiao_number: str,
        red_confirmation_number: str | None,
        reason: str,
        reversed_on: str,
        meta: dict[str, Any],
        amount_minor: int | None = None,
    ) -> None:
        """Take back `amount_minor` of the gross (all it still holds when None) by a
        red-letter fapiao; the amounts carried are what it takes back, as positive numbers,
        split as the platform splits a tax-inclusive amount (the whole gross splits as the
        fapiao did; parts are each rounded, so their net and tax may differ from the
        fapiao's by a fen, never their gross)."""
        if self.state not in (ISSUED, HANDED_OVER):
            raise FapiaoStateError(
                f"fapiao {self.id} is {self.state}: only an issued fapiao is reversed"
            )
        if red_fapiao_number == self.number:
            raise InvalidCommand(
                "must differ from the fapiao it reverses", field="red_fapiao_number"
            )
        if any(r["red_fapiao_number"] == red_fapiao_number for r in self.reversals):
            raise Conflict(
                f"red-letter fapiao {red_fapiao_number} already reversed part of this one",
                "red_fapiao_number",
            )
        left = self.gross_minor - self.reversed_minor
        amount = left if amount_minor is None else amount_minor
        if amount <= 0:
            raise InvalidCommand("must be more than 0", field="amount_minor")
        if amount > left:
            raise InvalidCommand(
                f"must be at most {left}: the fapiao's gross {self.gross_minor} less "
                f"{self.reversed_minor} taken back already",
                field="amount_minor",
            )
        net, tax, _ = split_gross(amount, self.tax_rate_bp)
        self.trigger_event(
            self.FapiaoReversed,
            order_id=self.order_id,
            fapiao_number=self.number,
            red_fapiao_number=red_fapiao_number,
            red_confirmation_number=red_confirmation_number,
            reason=reason,
            partial=amount < self.gross_minor,
            reversed_on=reversed_on,
            net_minor=net,
            tax_rate_bp=self.tax_rate_bp,
            tax_minor=tax,
            gross_minor=amount,
            remaining_minor=left - amount,
            currency=self.currency,
            meta=meta,
        )
