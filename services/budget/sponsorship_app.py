"""Use cases of the sponsorship pipeline, mixed into BudgetApplication: the plan's
packages, each sponsor from prospect to paid, and the cash received booked in the ledger
as income (line and source `sponsorship`) in the same transaction as its SponsorshipPaid,
so that budget actuals and the settlement statement include it."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError

from services.common.domain import CommandContext
from services.common.envelope import to_json_value
from services.common.errors import Conflict, InvalidCommand, NotFound, about
from services.common.store import ChangedMeanwhile

from . import sponsorship_commands as c
from .domain import Income, Reversal, caused_id
from .package_slots import PackageSlots, slots_id
from .sponsorship import Prospectus, Sponsorship, SponsorshipPlan, with_package
from .vat import split_gross

T = TypeVar("T")
SPONSORSHIP = "sponsorship"  # the ledger line and income source of what sponsors pay


class SponsorshipUseCases:
    """Needs the BudgetApplication it is mixed into: its repository, index, save, ledger."""

    # -- the plan --------------------------------------------------------------------
    def add_package(self, conference_id: str, cmd: c.AddPackage, ctx: CommandContext) -> dict:
        """Approve the plan again with one more package: the plan in force has them all."""
        ledger = self._ledger_for_command(conference_id, ctx)
        package = {
            "name": cmd.name,
            "level": cmd.level,
            "price_minor": cmd.price_minor,
            "slots": cmd.slots,
            "benefits": list(cmd.benefits),
        }
        packages = with_package(self.sponsorship_plan(conference_id), package)
        plan = SponsorshipPlan.made(
            SponsorshipPlan.SponsorshipPlanApproved,
            uuid.uuid4(),
            currency=ledger.currency,
            packages=packages,
            meta=ctx.meta(conference_id),
        )
        self.save(plan)
        return self.packages(conference_id)

    def publish_prospectus(
        self, conference_id: str, cmd: c.PublishProspectus, ctx: CommandContext
    ) -> dict[str, Any]:
        """The prospectus of the plan in force, published in its languages."""
        self._ledger_for_command(conference_id, ctx)
        if self.sponsorship_plan(conference_id) is None:
            raise InvalidCommand(
                f"conference {conference_id} has no sponsorship plan to present: add its "
                "packages first",
                "conference_id",
            )
        prospectus = Prospectus.made(
            Prospectus.ProspectusPublished,
            uuid.uuid4(),
            languages=list(cmd.languages),
            meta=ctx.meta(conference_id),
        )
        self.save(prospectus)
        return {**self.packages(conference_id), "languages": prospectus.languages}

    def sponsorship_plan(self, conference_id: str) -> SponsorshipPlan | None:
        plans = self.index.of(conference_id, "SponsorshipPlanApproved")
        return self.repository.get(plans[-1]) if plans else None

    def packages(self, conference_id: str) -> dict[str, Any]:
        """The plan in force, each package with the slots signed and left."""
        self.ledger(conference_id)  # NotFound for a conference budget never heard of
        plan = self.sponsorship_plan(conference_id)
        if plan is None:
            return {"conference_id": conference_id, "currency": None, "packages": []}
        signed = self._slots_taken(conference_id)
        return {
            "conference_id": conference_id,
            "currency": plan.currency,
            "packages": [_with_sales(p, signed.get(p["name"], 0)) for p in plan.packages],
        }

    def _slots_taken(self, conference_id: str) -> dict[str, int]:
        taken: dict[str, int] = {}
        for sponsorship in self._sponsorships(conference_id):
            if sponsorship.takes_slot and sponsorship.package:
                taken[sponsorship.package] = taken.get(sponsorship.package, 0) + 1
        return taken

    # -- the pipeline ----------------------------------------------------------------
    def add_prospect(self, conference_id: str, cmd: c.AddProspect, ctx: CommandContext) -> dict:
        self._ledger_for_command(conference_id, ctx)
        sponsorship = Sponsorship.made(
            Sponsorship.SponsorProspectAdded,
            uuid.uuid4(),
            sponsor=cmd.sponsor,
            level=cmd.level,
            meta=ctx.meta(conference_id),
        )
        self.save(sponsorship)
        return sponsorship.view()

    def advance_sponsorship(
        self, sponsorship_id: str, cmd: c.AdvanceSponsorship, ctx: CommandContext
    ) -> dict:
        """A contact made (letter, email, call, visit), or the negotiation started."""
        sponsorship = self.sponsorship(sponsorship_id)
        meta = ctx.meta(sponsorship.conference_id)
        if cmd.to == "contacted":
            sponsorship.contact(cmd.channel, meta)
        else:
            sponsorship.negotiate(cmd.level, meta)
        self.save(sponsorship)
        return sponsorship.view()

    def sign_sponsor(self, sponsorship_id: str, cmd: c.SignSponsor, ctx: CommandContext) -> dict:
        """Signed for a package that has a slot left, at its price or the amount agreed;
        the slot taken in the same transaction (package_slots.py), again from the store
        when another signing took one at the same moment."""
        return retrying(lambda: self._sign_sponsor(sponsorship_id, cmd, ctx))

    def _sign_sponsor(self, sponsorship_id: str, cmd: c.SignSponsor, ctx: CommandContext):
        sponsorship = self.sponsorship(sponsorship_id)
        conference_id = sponsorship.conference_id
        plan = self.sponsorship_plan(conference_id)
        if plan is None:
            raise InvalidCommand(
                f"conference {conference_id} has no sponsorship plan: add its packages first",
                "package",
            )
        package = plan.package(cmd.package)
        meta = ctx.meta(conference_id)
        slots = self._package_slots(conference_id, cmd.package)
        if slots is None:
            signed = self._slots_taken(conference_id).get(cmd.package, 0)
            slots = PackageSlots.first(
                conference_id, cmd.package, str(sponsorship.id), package["slots"], signed, meta
            )
        else:
            slots.take(str(sponsorship.id), package["slots"], meta)
        terms = signed_terms(cmd, package, plan.currency)
        with about("sponsorship_id"):
            sponsorship.sign(terms, meta)
        self.save(sponsorship, slots)
        return sponsorship.view()

    def _package_slots(self, conference_id: str, package: str) -> PackageSlots | None:
        try:
            return self.repository.get(slots_id(conference_id, package))
        except AggregateNotFoundError:
            return None

    def invoice_sponsor(
        self, sponsorship_id: str, cmd: c.IssueSponsorInvoice, ctx: CommandContext
    ) -> dict:
        sponsorship = self.sponsorship(sponsorship_id)
        net, tax = split_gross(cmd.gross_minor, cmd.tax_rate_bp)
        fapiao = {
            "buyer_name": cmd.buyer_name or sponsorship.sponsor,
            "buyer_tax_id": cmd.buyer_tax_id,
            "net_minor": net,
            "tax_rate_bp": cmd.tax_rate_bp,
            "tax_minor": tax,
            "gross_minor": cmd.gross_minor,
            "currency": "CNY",
            "fapiao_number": cmd.fapiao_number,
            "fapiao_type": cmd.fapiao_type,
            "medium": cmd.medium,
            "issued_on": cmd.issued_on.isoformat(),
            "instalment": cmd.instalment,
        }
        sponsorship.invoice(fapiao, ctx.meta(sponsorship.conference_id))
        self.save(sponsorship)
        return sponsorship.view()

    def reverse_sponsor_invoice(
        self,
        sponsorship_id: str,
        fapiao_number: str,
        cmd: c.ReverseSponsorInvoice,
        ctx: CommandContext,
    ) -> dict:
        """A red-letter fapiao against one issued: all it still holds unless `gross_minor`."""
        sponsorship = self.sponsorship(sponsorship_id)
        issued = sponsorship.fapiaos.get(fapiao_number)
        rate = issued["tax_rate_bp"] if issued else 0
        held = issued["gross_minor"] - issued["reversed_minor"] if issued else 0
        gross = cmd.gross_minor if cmd.gross_minor is not None else held
        net, tax = split_gross(gross, rate)
        reversal = {
            "fapiao_number": fapiao_number,
            "red_fapiao_number": cmd.red_fapiao_number,
            "red_confirmation_number": cmd.red_confirmation_number,
            "net_minor": net,
            "tax_rate_bp": rate,
            "tax_minor": tax,
            "gross_minor": gross,
            "currency": "CNY",
            "reason": cmd.reason,
            "reversed_on": cmd.reversed_on.isoformat(),
        }
        sponsorship.reverse_invoice(reversal, ctx.meta(sponsorship.conference_id))
        self.save(sponsorship)
        return sponsorship.view()

    def pay_sponsor(
        self, sponsorship_id: str, cmd: c.RecordSponsorPayment, ctx: CommandContext
    ) -> dict:
        """Cash received, with its income in the ledger; or an item received in kind."""
        sponsorship = self.sponsorship(sponsorship_id)
        conference_id = sponsorship.conference_id
        meta = ctx.meta(conference_id)
        if cmd.in_kind is not None:
            item = {**cmd.in_kind, "currency": sponsorship.currency}
            sponsorship.receive_in_kind(item, meta)
            self.save(sponsorship)
            return sponsorship.view()
        ledger = self._ledger(conference_id, meta)
        self._same_currency(ledger, cmd.currency)
        payment = {
            "amount_minor": cmd.amount_minor,
            "currency": cmd.currency,
            "instalment": cmd.instalment,
            "method": cmd.method,
            "received_on": cmd.received_on.isoformat(),
        }
        sponsorship.pay(payment, meta)
        fapiao_numbers = sponsorship.fapiao_numbers
        income = Income.made(
            Income.IncomeRecorded,
            uuid.uuid4(),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=SPONSORSHIP,
            source=SPONSORSHIP,
            source_ref=str(sponsorship.id),
            fapiao_number=cmd.fapiao_number or (fapiao_numbers[-1] if fapiao_numbers else None),
            meta=meta,
        )
        behind = self._revenue_after(conference_id, [income], meta, cmd.received_on)
        self.save(sponsorship, income, *behind)
        return sponsorship.view()

    def deliver_benefit(
        self, sponsorship_id: str, cmd: c.DeliverBenefit, ctx: CommandContext
    ) -> dict:
        sponsorship = self.sponsorship(sponsorship_id)
        sponsorship.deliver(cmd.benefit, cmd.proof_ref, ctx.meta(sponsorship.conference_id))
        self.save(sponsorship)
        return sponsorship.view()

    def thank_sponsor(self, sponsorship_id: str, cmd: c.ThankSponsor, ctx: CommandContext) -> dict:
        sponsorship = self.sponsorship(sponsorship_id)
        sponsorship.thank(cmd.channel, ctx.meta(sponsorship.conference_id))
        self.save(sponsorship)
        return sponsorship.view()

    def cancel_sponsorship(
        self, sponsorship_id: str, cmd: c.CancelSponsorship, ctx: CommandContext
    ) -> dict:
        return retrying(lambda: self._cancel_sponsorship(sponsorship_id, cmd, ctx))

    def _cancel_sponsorship(self, sponsorship_id: str, cmd: c.CancelSponsorship, ctx):
        """Cancelled: a signed sponsorship's slot given back in the same transaction."""
        sponsorship = self.sponsorship(sponsorship_id)
        meta = ctx.meta(sponsorship.conference_id)
        held = sponsorship.package if sponsorship.takes_slot else None
        sponsorship.cancel(cmd.reason, meta)
        slots = None if held is None else self._package_slots(sponsorship.conference_id, held)
        if slots is not None:  # else signed before slots were kept: the index counts it
            slots.release(str(sponsorship.id), meta)
        self.save(sponsorship, *([slots] if slots is not None else []))
        return sponsorship.view()

    def refund_sponsor(
        self, sponsorship_id: str, cmd: c.RefundSponsor, ctx: CommandContext
    ) -> dict:
        """A cancelled sponsor's cash paid back: the sponsorship income reversed, so that
        the settlement balances. One refund per sponsorship: its entry's id is derived
        from the sponsorship's, so a second one, even at the same instant, is refused."""
        sponsorship = self.sponsorship(sponsorship_id)
        conference_id = sponsorship.conference_id
        meta = ctx.meta(conference_id)
        self._same_currency(self.ledger(conference_id), cmd.currency)
        refund_id = caused_id(str(sponsorship.id), "sponsor-refund")
        if self.exists(refund_id):
            raise Conflict(f"sponsorship {sponsorship.id} is refunded already", "sponsorship_id")
        sponsorship.check_refund(cmd.amount_minor)
        reversal = Reversal.made(
            Reversal.IncomeReversed,
            refund_id,
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=SPONSORSHIP,
            source=SPONSORSHIP,
            source_ref=str(sponsorship.id),
            meta=meta,
        )
        behind = self._revenue_after(conference_id, [reversal], meta, cmd.refunded_on)
        self.save(reversal, *behind)
        return {**sponsorship.view(), "refunded_minor": cmd.amount_minor}

    # -- reads -----------------------------------------------------------------------
    def sponsorship(self, sponsorship_id: Any) -> Sponsorship:
        try:
            found = self.repository.get(uuid.UUID(str(sponsorship_id)))
        except (ValueError, AggregateNotFoundError):
            found = None
        if not isinstance(found, Sponsorship):
            raise NotFound(f"no sponsorship {sponsorship_id}", "sponsorship_id")
        return found

    def _sponsorships(self, conference_id: str) -> list[Sponsorship]:
        return [
            self.repository.get(i) for i in self.index.of(conference_id, "SponsorProspectAdded")
        ]

    def sponsors(self, conference_id: str) -> dict[str, Any]:
        self.ledger(conference_id)  # NotFound for a conference budget never heard of
        rows = [s.view() for s in self._sponsorships(str(conference_id))]
        return {"conference_id": conference_id, "sponsorships": rows}


ATTEMPTS = 5


def retrying(use_case: Callable[[], T]) -> T:
    """The use case again, read afresh, when another command saved the same aggregate at
    the same moment (a package's last slot)."""
    for attempt in range(ATTEMPTS):
        try:
            return use_case()
        except ChangedMeanwhile:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    raise AssertionError("unreachable")


def _with_sales(package: dict[str, Any], signed: int) -> dict[str, Any]:
    return {**package, "signed": signed, "left": package["slots"] - signed}


def signed_terms(cmd: c.SignSponsor, package: dict[str, Any], currency: str) -> dict[str, Any]:
    """SponsorSigned's payload: the package's level and benefits, the amount agreed split
    into cash (its instalments) and in kind."""
    amount = cmd.amount_minor if cmd.amount_minor is not None else package["price_minor"]
    in_kind = [dict(x) for x in cmd.in_kind]
    cash = amount - sum(x["value_minor"] for x in in_kind)
    if cash < 0 or (cmd.form == "in_kind" and cash != 0):
        raise InvalidCommand(
            f"the in-kind values must add up to the amount {amount} (form {cmd.form})", "in_kind"
        )
    if cmd.form == "mixed" and cash == 0:
        raise InvalidCommand("leaves no cash: sign it as form in_kind", "in_kind")
    instalments = [to_json_value(dict(x)) for x in cmd.instalments]
    due = sum(x["amount_minor"] for x in instalments)
    if instalments and due != cash:
        raise InvalidCommand(f"must add up to the cash part {cash}, not {due}", "instalments")
    return {
        "level": package["level"],
        "amount_minor": amount,
        "currency": currency,
        "form": cmd.form,
        "cash_minor": cash,
        "in_kind": in_kind,
        "instalments": instalments or None,
        "benefits": list(package["benefits"]),
        "signed_on": cmd.signed_on.isoformat(),
        "package": package["name"],
    }
