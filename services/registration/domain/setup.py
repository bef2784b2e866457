"""A conference's registration set-up (one aggregate per conference): its currency and
time zone, the fee schedule, the channels open, the targets and the refund rules."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from . import fees, targets
from .currency import check_currency
from .ids import setup_id


class ChannelNotOpen(Conflict):
    pass


class RegistrationSetup(Aggregate):
    class RegistrationSetUp(Aggregate.Created):
        currency: str
        timezone: str
        hold_hours: int
        meta: dict[str, Any]

    @staticmethod
    def create_id(meta: dict[str, Any]) -> Any:
        return setup_id(meta["conference_id"])

    @event(RegistrationSetUp)
    def __init__(self, currency: str, timezone: str, hold_hours: int, meta: dict[str, Any]):
        self.conference_id = meta["conference_id"]
        self.currency = currency
        self.timezone = timezone
        self.hold_hours = hold_hours
        self.fees: list[dict[str, Any]] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.targets: dict[str, Any] | None = None
        self.refund_policy: dict[str, Any] | None = None
        self.warned_targets: list[str] = []  # targets.key of each one that warned
        self.channel_tests: dict[str, dict[str, Any]] = {}  # by method: the last test

    # -- fee schedule -----------------------------------------------------------------
    def set_fees(self, lines: list[dict[str, Any]], meta: dict[str, Any]) -> None:
        fees.check_schedule(lines, self.currency)
        self._fees_set(categories=lines, meta=meta)

    @event("FeeScheduleSet")
    def _fees_set(self, categories: list[dict[str, Any]], meta: dict[str, Any]) -> None:
        self.fees = [dict(line) for line in categories]

    def fee_for(self, ticket_type: str, today: str) -> dict[str, Any]:
        if not self.fees:
            raise Conflict("the conference has no fee schedule yet: set one first")
        return fees.fee_for(self.fees, ticket_type, today)

    # -- channels ---------------------------------------------------------------------
    def open(
        self,
        channel: str,
        payment_methods: list[str],
        closes_on: str | None,
        meta: dict[str, Any],
    ) -> None:
        if not self.fees:
            raise Conflict("set the fee schedule before opening registration", field="channel")
        if channel in self.channels:
            raise Conflict(f"registration is already open on {channel}", field="channel")
        self._opened(
            channel=channel, payment_methods=payment_methods, closes_on=closes_on, meta=meta
        )

    class RegistrationOpened(Aggregate.Event):
        channel: str
        payment_methods: list[str]
        closes_on: str | None
        meta: dict[str, Any]
        published_when_set = ("closes_on",)

    @event(RegistrationOpened)
    def _opened(
        self,
        channel: str,
        payment_methods: list[str],
        closes_on: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.channels[channel] = {"payment_methods": list(payment_methods), "closes_on": closes_on}

    def close(self, channel: str, reason: str, meta: dict[str, Any]) -> None:
        if channel not in self.channels:
            raise ChannelNotOpen(f"registration is not open on {channel}", field="channel")
        self._closed(channel=channel, reason=reason, meta=meta)

    @event("RegistrationClosed")
    def _closed(self, channel: str, reason: str, meta: dict[str, Any]) -> None:
        del self.channels[channel]

    def check_open(self, channel: str, today: str) -> None:
        """Online and onsite orders need their channel open (and not past its closing
        day); staff keying an order in (telesales, back office) need only the fees."""
        if channel not in ("online", "onsite"):
            return
        opened = self.channels.get(channel)
        if opened is None:
            raise ChannelNotOpen(f"registration is not open on {channel}", field="channel")
        if opened["closes_on"] and today > opened["closes_on"]:
            raise ChannelNotOpen(
                f"registration on {channel} closed on {opened['closes_on']}", field="channel"
            )

    # -- targets and refund rules -----------------------------------------------------
    def set_targets(
        self,
        targets: list[dict[str, Any]],
        warn_below_percent: int,
        categories: list[str],
        meta: dict[str, Any],
    ) -> None:
        self._targets_set(
            targets=targets,
            warn_below_percent=warn_below_percent,
            categories=categories,
            meta=meta,
        )

    @event("RegistrationTargetsSet")
    def _targets_set(
        self,
        targets: list[dict[str, Any]],
        warn_below_percent: int,
        categories: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.targets = {
            "targets": [dict(t) for t in targets],
            "warn_below_percent": warn_below_percent,
            "categories": list(categories),
        }

    def check_target(
        self, today: str, registered: int, meta: dict[str, Any]
    ) -> dict[str, Any] | None:
        """From the day of the current target on: warn once if `registered` is under its
        share (RegistrationBelowTarget). The warning, or None."""
        if self.targets is None:
            return None
        target = targets.current_target(self.targets["targets"], today)
        if target is None or targets.key(target) in self.warned_targets:
            return None
        percent = self.targets["warn_below_percent"]
        if not targets.is_below(registered, target["registered"], percent):
            return None
        warning = {
            "target_by": target["by"],
            "target": target["registered"],
            "registered": registered,
            "warn_below_percent": percent,
        }
        self._below_target(**warning, meta=meta)
        return warning

    @event("RegistrationBelowTarget")
    def _below_target(
        self,
        target_by: str,
        target: int,
        registered: int,
        warn_below_percent: int,
        meta: dict[str, Any],
    ) -> None:
        self.warned_targets.append(targets.key({"by": target_by, "registered": target}))

    class RefundPolicySet(Aggregate.Event):
        full_refund_until: str
        partial_refund_until: str | None
        partial_refund_percent: int
        substitution_until: str | None
        meta: dict[str, Any]
        published_when_set = ("partial_refund_until", "substitution_until")

    def set_refund_policy(
        self,
        full_refund_until: str,
        partial_refund_until: str | None,
        partial_refund_percent: int,
        substitution_until: str | None,
        meta: dict[str, Any],
    ) -> None:
        if partial_refund_until and partial_refund_until < full_refund_until:
            raise InvalidCommand(
                "must not be before full_refund_until", field="partial_refund_until"
            )
        if partial_refund_percent and not partial_refund_until:
            raise InvalidCommand(
                "needs partial_refund_until: the last day it applies",
                field="partial_refund_percent",
            )
        self._refund_policy_set(
            full_refund_until=full_refund_until,
            partial_refund_until=partial_refund_until,
            partial_refund_percent=partial_refund_percent,
            substitution_until=substitution_until,
            meta=meta,
        )

    @event(RefundPolicySet)
    def _refund_policy_set(
        self,
        full_refund_until: str,
        partial_refund_until: str | None,
        partial_refund_percent: int,
        substitution_until: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.refund_policy = {
            "full_refund_until": full_refund_until,
            "partial_refund_until": partial_refund_until,
            "partial_refund_percent": partial_refund_percent,
            "substitution_until": substitution_until,
        }

    # -- payment channels tested (10.1.6) ---------------------------------------------
    class PaymentChannelTested(Aggregate.Event):
        method: str
        amount_minor: int
        currency: str
        refunded: bool
        payment_reference: str | None
        refund_reference: str | None
        meta: dict[str, Any]
        published_when_set = ("payment_reference", "refund_reference")

    def record_channel_test(
        self,
        method: str,
        amount_minor: int,
        currency: str,
        payment_reference: str | None,
        refund_reference: str | None,
        meta: dict[str, Any],
    ) -> None:
        """A real payment through a live channel, and its refund once its id is known."""
        if not self.fees:
            raise Conflict("the conference has no fee schedule yet: set one before testing")
        check_currency(self.currency, currency)
        if amount_minor <= 0:
            raise InvalidCommand("must be more than 0", field="amount_minor")
        self._channel_tested(
            method=method,
            amount_minor=amount_minor,
            currency=currency,
            refunded=refund_reference is not None,
            payment_reference=payment_reference,
            refund_reference=refund_reference,
            meta=meta,
        )

    @event(PaymentChannelTested)
    def _channel_tested(
        self,
        method: str,
        amount_minor: int,
        currency: str,
        refunded: bool,
        payment_reference: str | None,
        refund_reference: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.channel_tests[method] = {"amount_minor": amount_minor, "refunded": refunded}
