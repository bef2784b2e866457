"""Sponsorship aggregates. No I/O: ids, dates and `meta` are passed in.

- `SponsorshipPlan`: the packages on offer, one aggregate per approval (as a cost sheet):
  adding a package approves the plan again with every package; the latest is in force.
- `Prospectus`: the prospectus published, once per publication.
- `Sponsorship`: one sponsor's way from prospect to paid, or cancelled:

      prospect -> contacted -> negotiating -> signed -> invoiced -> paid
                                                  \\-> paid (in kind only)

  Cash is paid once invoiced, in one or more instalments; what is given in kind is
  received from signing on, at the value agreed. The sponsorship is paid (settled) when
  its cash and its in-kind value are all in. Each benefit of the package is delivered
  once, with its proof.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from services.common.errors import Conflict, InvalidCommand

from .domain import BudgetAggregate

PROSPECT, CONTACTED, NEGOTIATING = "prospect", "contacted", "negotiating"
SIGNED, INVOICED, PAID, CANCELLED = "signed", "invoiced", "paid", "cancelled"
BEFORE_SIGNING = (PROSPECT, CONTACTED, NEGOTIATING)
SINCE_SIGNING = (SIGNED, INVOICED, PAID)
# A package's slot is taken from signing until a cancellation frees it.
TAKES_A_SLOT = SINCE_SIGNING


class SponsorshipPlan(BudgetAggregate):
    """The sponsorship plan as approved once: its packages (each named, priced, with its
    slots and benefits) in the conference's currency."""

    @event("SponsorshipPlanApproved")
    def __init__(
        self,
        currency: str,
        packages: list[dict[str, Any]],
        meta: dict[str, Any],
        target_minor: int | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.currency = currency
        self.packages = [dict(p) for p in packages]

    def package(self, name: str) -> dict[str, Any]:
        for package in self.packages:
            if package["name"] == name:
                return package
        known = ", ".join(p["name"] for p in self.packages) or "none yet"
        raise InvalidCommand(f"no package {name!r} in the plan (packages: {known})", "package")


def with_package(plan: SponsorshipPlan | None, package: dict[str, Any]) -> list[dict[str, Any]]:
    """The packages of the plan in force with one more, refused if its name is taken."""
    packages = list(plan.packages) if plan is not None else []
    if any(p["name"] == package["name"] for p in packages):
        raise Conflict(f"the plan has a package {package['name']!r} already", "name")
    return [*packages, dict(package)]


class Prospectus(BudgetAggregate):
    """The sponsorship prospectus as published once, in its languages (a translation
    besides Chinese checked)."""

    @event("ProspectusPublished")
    def __init__(self, languages: list[str], meta: dict[str, Any]) -> None:
        self.conference_id = meta["conference_id"]
        self.languages = list(languages)


class WrongState(Conflict):
    """A step the sponsorship's state does not allow: says the state and what is needed."""


class Sponsorship(BudgetAggregate):
    """One sponsor's sponsorship, from the prospect listed to paid or cancelled."""

    @event("SponsorProspectAdded")
    def __init__(self, sponsor: str, meta: dict[str, Any], level: str | None = None) -> None:
        self.conference_id = meta["conference_id"]
        self.sponsor = sponsor
        self.level = level
        self.state = PROSPECT
        self.contacts: list[str] = []
        self.package: str | None = None
        self.form: str | None = None
        self.currency: str | None = None
        self.amount_minor = 0
        self.cash_minor = 0
        self.in_kind_minor = 0
        self.benefits: list[str] = []
        self.delivered: dict[str, str] = {}  # benefit -> its proof
        self.invoiced_minor = 0
        self.fapiao_numbers: list[str] = []
        self.fapiaos: dict[str, dict[str, int]] = {}  # number -> its gross, rate, reversed
        self.red_numbers: list[str] = []
        self.paid_minor = 0
        self.received_minor = 0  # value of the in-kind items received
        self.received_items = 0
        self.thanked = False
        self.refund_due_minor = 0  # the cash to give back once cancelled

    # -- guards ----------------------------------------------------------------------
    def _must_be(self, action: str, *states: str) -> None:
        if self.state not in states:
            raise WrongState(
                f"sponsorship {self.id} is {self.state}: to {action} it must be "
                f"{' or '.join(states)}",
                "sponsorship_id",
            )

    @property
    def cash_open_minor(self) -> int:
        return self.cash_minor - self.paid_minor

    @property
    def in_kind_open_minor(self) -> int:
        return self.in_kind_minor - self.received_minor

    # -- before signing --------------------------------------------------------------
    def contact(self, channel: str, meta: dict[str, Any]) -> None:
        """A letter, mail, call or visit: again as often as the sale needs."""
        self._must_be("contact", *BEFORE_SIGNING)
        self._contacted(channel=channel, meta=meta)

    @event("SponsorContacted")
    def _contacted(self, channel: str, meta: dict[str, Any]) -> None:
        self.contacts.append(channel)
        if self.state == PROSPECT:
            self.state = CONTACTED

    def negotiate(self, level: str | None, meta: dict[str, Any]) -> None:
        self._must_be("negotiate", CONTACTED)
        self._negotiating(level=level, meta=meta)

    @event("SponsorNegotiationStarted")
    def _negotiating(self, meta: dict[str, Any], level: str | None = None) -> None:
        self.state = NEGOTIATING
        self.level = level or self.level

    def sign(self, terms: dict[str, Any], meta: dict[str, Any]) -> None:
        """Sign for a package: `terms` is SponsorSigned's payload."""
        self._must_be("sign", NEGOTIATING)
        self._signed(**terms, meta=meta)

    @event("SponsorSigned")
    def _signed(
        self,
        level: str,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
        form: str | None = None,
        cash_minor: int | None = None,
        in_kind: list[dict[str, Any]] | None = None,
        instalments: list[dict[str, Any]] | None = None,
        benefits: list[str] | None = None,
        signed_on: str | None = None,
        package: str | None = None,
    ) -> None:
        self.state = SIGNED
        self.level = level
        self.package = package
        self.form = form
        self.currency = currency
        self.amount_minor = amount_minor
        self.cash_minor = cash_minor or 0
        self.in_kind_minor = sum(x["value_minor"] for x in in_kind or ())
        self.benefits = list(benefits or ())

    # -- money -----------------------------------------------------------------------
    def invoice(self, fapiao: dict[str, Any], meta: dict[str, Any]) -> None:
        """A fapiao for the cash part, or for one instalment of it."""
        self._must_be("invoice", SIGNED, INVOICED)
        if self.currency != "CNY":
            raise InvalidCommand(f"must be CNY: the sponsorship is in {self.currency}", "currency")
        if not self.cash_minor:
            raise WrongState(
                f"sponsorship {self.id} is given in kind only: no fapiao is issued for it",
                "sponsorship_id",
            )
        if fapiao["fapiao_number"] in self.fapiao_numbers:
            raise Conflict(f"fapiao {fapiao['fapiao_number']} is issued already", "fapiao_number")
        left = self.cash_minor - self.invoiced_minor
        if fapiao["gross_minor"] > left:
            raise InvalidCommand(
                f"must be at most the cash not invoiced yet, {left}", "gross_minor"
            )
        self._invoiced(**fapiao, meta=meta)

    @event("SponsorInvoiceIssued")
    def _invoiced(
        self,
        buyer_name: str,
        net_minor: int,
        tax_rate_bp: int,
        tax_minor: int,
        gross_minor: int,
        currency: str,
        fapiao_number: str,
        fapiao_type: str,
        medium: str,
        issued_on: str,
        meta: dict[str, Any],
        buyer_tax_id: str | None = None,
        instalment: int | None = None,
    ) -> None:
        self.state = INVOICED
        self.invoiced_minor += gross_minor
        self.fapiao_numbers.append(fapiao_number)
        self.fapiaos[fapiao_number] = {
            "gross_minor": gross_minor,
            "tax_rate_bp": tax_rate_bp,
            "reversed_minor": 0,
        }

    def reverse_invoice(self, reversal: dict[str, Any], meta: dict[str, Any]) -> None:
        """A red-letter fapiao (红字发票) takes back all or part of one issued: an error, a
        discount, a cancellation. What it takes back may be invoiced again."""
        self._must_be("reverse a fapiao of", INVOICED, PAID, CANCELLED)
        number = reversal["fapiao_number"]
        issued = self.fapiaos.get(number)
        if issued is None:
            raise InvalidCommand(f"no fapiao {number} was issued to this sponsor", "fapiao_number")
        if reversal["red_fapiao_number"] in self.red_numbers:
            raise Conflict(
                f"red-letter fapiao {reversal['red_fapiao_number']} is recorded already",
                "red_fapiao_number",
            )
        left = issued["gross_minor"] - issued["reversed_minor"]
        if left == 0:
            raise Conflict(f"fapiao {number} is reversed in full already", "fapiao_number")
        if reversal["gross_minor"] > left:
            raise InvalidCommand(
                f"must be at most what fapiao {number} still holds, {left}", "gross_minor"
            )
        self._reversed(**reversal, partial=reversal["gross_minor"] < left, meta=meta)

    @event("SponsorInvoiceReversed")
    def _reversed(
        self,
        fapiao_number: str,
        red_fapiao_number: str,
        net_minor: int,
        tax_rate_bp: int,
        tax_minor: int,
        gross_minor: int,
        currency: str,
        reason: str,
        partial: bool,
        reversed_on: str,
        meta: dict[str, Any],
        red_confirmation_number: str | None = None,
    ) -> None:
        self.fapiaos[fapiao_number]["reversed_minor"] += gross_minor
        self.invoiced_minor -= gross_minor
        self.red_numbers.append(red_fapiao_number)

    def pay(self, payment: dict[str, Any], meta: dict[str, Any]) -> None:
        """Cash received: the whole cash part or an instalment; settled when all is in."""
        self._must_be("receive cash for", INVOICED)
        if payment["currency"] != self.currency:
            raise InvalidCommand(f"must be the sponsorship's currency {self.currency}", "currency")
        if payment["amount_minor"] > self.cash_open_minor:
            raise InvalidCommand(
                f"must be at most the cash still owed, {self.cash_open_minor}", "amount_minor"
            )
        self._paid(**payment, meta=meta)
        self._settle_if_complete(meta)

    @event("SponsorshipPaid")
    def _paid(
        self,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
        instalment: int | None = None,
        method: str | None = None,
        received_on: str | None = None,
    ) -> None:
        self.paid_minor += amount_minor

    def receive_in_kind(self, item: dict[str, Any], meta: dict[str, Any]) -> None:
        """An in-kind item received at its agreed value (`item`: InKindReceived's payload)."""
        self._must_be("receive in kind for", SIGNED, INVOICED)
        if item["value_minor"] > self.in_kind_open_minor:
            raise InvalidCommand(
                f"must be at most the in-kind value still owed, {self.in_kind_open_minor}",
                "value_minor",
            )
        self._received(**item, meta=meta)
        self._settle_if_complete(meta)

    @event("InKindReceived")
    def _received(
        self, kind: str, description: str, value_minor: int, currency: str, meta: dict[str, Any]
    ) -> None:
        self.received_minor += value_minor
        self.received_items += 1

    def _settle_if_complete(self, meta: dict[str, Any]) -> None:
        if self.cash_open_minor == 0 and self.in_kind_open_minor == 0:
            self._settled(
                cash_received_minor=self.paid_minor,
                currency=self.currency,
                in_kind_received=self.received_items,
                meta=meta,
            )

    @event("SponsorshipSettled")
    def _settled(
        self,
        cash_received_minor: int,
        currency: str,
        meta: dict[str, Any],
        in_kind_received: int | None = None,
    ) -> None:
        self.state = PAID

    # -- after signing ---------------------------------------------------------------
    def deliver(self, benefit: str, proof_ref: str, meta: dict[str, Any]) -> None:
        self._must_be("deliver a benefit to", *SINCE_SIGNING)
        if benefit not in self.benefits:
            raise InvalidCommand(
                f"is not a benefit of package {self.package} ({', '.join(self.benefits)})",
                "benefit",
            )
        if benefit in self.delivered:
            raise Conflict(
                f"{benefit} was delivered already (proof {self.delivered[benefit]})", "benefit"
            )
        self._delivered(benefit=benefit, proof_ref=proof_ref, meta=meta)

    @event("SponsorBenefitDelivered")
    def _delivered(self, benefit: str, meta: dict[str, Any], proof_ref: str | None = None) -> None:
        self.delivered[benefit] = proof_ref or ""

    def thank(self, channel: str, meta: dict[str, Any]) -> None:
        self._must_be("thank", *SINCE_SIGNING)
        self._thanked(channel=channel, meta=meta)

    @event("SponsorThanked")
    def _thanked(self, channel: str, meta: dict[str, Any]) -> None:
        self.thanked = True

    def cancel(self, reason: str, meta: dict[str, Any]) -> None:
        """Dropped before signing, or a signed deal undone: what was paid is due back."""
        self._must_be("cancel", *BEFORE_SIGNING, SIGNED, INVOICED)
        self._cancelled(reason=reason, refund_due_minor=self.paid_minor, meta=meta)

    @event("SponsorshipCancelled")
    def _cancelled(
        self, reason: str, meta: dict[str, Any], refund_due_minor: int | None = None
    ) -> None:
        self.state = CANCELLED
        self.refund_due_minor = refund_due_minor or 0

    def check_refund(self, amount_minor: int) -> None:
        """A cancelled sponsor's cash is paid back at once, all that is due: a refund is
        the ledger's reversing entry, one per sponsorship (sponsorship_app.py)."""
        self._must_be("refund", CANCELLED)
        if not self.refund_due_minor:
            raise Conflict(f"sponsorship {self.id} has no cash to refund", "sponsorship_id")
        if amount_minor != self.refund_due_minor:
            raise InvalidCommand(
                f"must be the cash due back, {self.refund_due_minor}, got {amount_minor}",
                "amount_minor",
            )

    @property
    def takes_slot(self) -> bool:
        return self.state in TAKES_A_SLOT

    def view(self) -> dict[str, Any]:
        """What is shown of it."""
        return {
            "sponsorship_id": str(self.id),
            "conference_id": self.conference_id,
            "sponsor": self.sponsor,
            "state": self.state,
            "level": self.level,
            "package": self.package,
            "form": self.form,
            "currency": self.currency,
            "amount_minor": self.amount_minor,
            "cash_minor": self.cash_minor,
            "in_kind_minor": self.in_kind_minor,
            "invoiced_minor": self.invoiced_minor,
            "paid_minor": self.paid_minor,
            "in_kind_received_minor": self.received_minor,
            "contacts": list(self.contacts),
            "fapiao_numbers": list(self.fapiao_numbers),
            "fapiaos": {number: dict(f) for number, f in self.fapiaos.items()},
            "benefits": list(self.benefits),
            "delivered": dict(self.delivered),
            "thanked": self.thanked,
            "refund_due_minor": self.refund_due_minor,
        }
