"""Partners who share the conference's costs (no I/O): a co-organiser (联合单位) or a
supporter (支持单位) joins, agrees its contribution (2.1.5) in cash, in kind or both, and
pays its cash, which is ledger income on line `contributions` (a partner's own cash, or a
government grant), or gives in kind, recorded on the partner at its agreed value with
the proof of receipt, never as ledger income. `Partner` is one aggregate per partner:
checklist pairs its ContributionAgreed with its PartnerJoined by `partner_id`, the
aggregate's id."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from services.common.errors import Conflict, InvalidCommand

from .domain import BudgetAggregate

CASH_FORMS = ("cash", "mixed")
IN_KIND_FORMS = ("in_kind", "mixed")


class Partner(BudgetAggregate):
    @event("PartnerJoined")
    def __init__(self, partner: str, role: str, meta: dict[str, Any]) -> None:
        self.conference_id = meta["conference_id"]
        self.partner = partner
        self.role = role
        self.agreed: dict[str, Any] | None = None
        self.withdrawn = False
        self.in_kind: list[dict[str, Any]] = []  # what was received in kind, in order

    def agree(
        self,
        form: str,
        meta: dict[str, Any],
        amount_minor: int | None = None,
        currency: str | None = None,
        share_bp: int | None = None,
    ) -> None:
        """Its share agreed, or agreed again (the latest stands)."""
        self._must_be_in()
        if form in CASH_FORMS and amount_minor is None:
            raise InvalidCommand(f"must be given for a contribution in {form}", "amount_minor")
        self._agreed(
            partner=self.partner,
            partner_id=str(self.id),
            form=form,
            share_bp=share_bp,
            amount_minor=amount_minor,
            currency=currency,
            meta=meta,
        )

    @event("ContributionAgreed")
    def _agreed(
        self,
        partner: str,
        partner_id: str,
        form: str,
        meta: dict[str, Any],
        share_bp: int | None = None,
        amount_minor: int | None = None,
        currency: str | None = None,
    ) -> None:
        self.agreed = {"form": form, "share_bp": share_bp, "amount_minor": amount_minor}

    def check_cash(self, amount_minor: int, received_minor: int) -> None:
        """Cash received is at most what the partner agreed to pay, less what came in."""
        self._must_be_in()
        if self.agreed is None or self.agreed["form"] not in CASH_FORMS:
            raise Conflict(f"partner {self.id} agreed no cash contribution", "partner_id")
        left = self.agreed["amount_minor"] - received_minor
        if amount_minor > left:
            raise InvalidCommand(
                f"must be at most {left}: the {self.agreed['amount_minor']} agreed less "
                f"{received_minor} received",
                "amount_minor",
            )

    def receive_in_kind(self, item: dict[str, Any], meta: dict[str, Any]) -> None:
        """Something received in kind at its agreed value (`item`: kind, description,
        value_minor, currency, received_on, proof_ref), as a sponsor's in-kind item is."""
        self._must_be_in()
        if self.agreed is None or self.agreed["form"] not in IN_KIND_FORMS:
            form = self.agreed["form"] if self.agreed else "nothing"
            raise Conflict(
                f"partner {self.id} agreed no contribution in kind (agreed: {form})",
                "partner_id",
            )
        if item["value_minor"] <= 0:
            raise InvalidCommand("must be more than 0", "value_minor")
        self._in_kind_received(partner=self.partner, partner_id=str(self.id), **item, meta=meta)

    @event("PartnerContributionInKindReceived")
    def _in_kind_received(
        self,
        partner: str,
        partner_id: str,
        kind: str,
        description: str,
        value_minor: int,
        currency: str,
        received_on: str,
        proof_ref: str,
        meta: dict[str, Any],
    ) -> None:
        self.in_kind.append(
            {
                "kind": kind,
                "description": description,
                "value_minor": value_minor,
                "received_on": received_on,
                "proof_ref": proof_ref,
            }
        )

    def withdraw(self, reason: str, meta: dict[str, Any]) -> None:
        self._must_be_in()
        self._withdrawn(reason=reason, meta=meta)

    @event("PartnerWithdrawn")
    def _withdrawn(self, reason: str, meta: dict[str, Any]) -> None:
        self.withdrawn = True

    def _must_be_in(self) -> None:
        if self.withdrawn:
            raise Conflict(f"partner {self.id} has withdrawn", "partner_id")

    def view(self, received_minor: int) -> dict[str, Any]:
        return {
            "partner_id": str(self.id),
            "conference_id": self.conference_id,
            "partner": self.partner,
            "role": self.role,
            "agreed": dict(self.agreed) if self.agreed else None,
            "received_minor": received_minor,
            "in_kind_received_minor": sum(x["value_minor"] for x in self.in_kind),
            "in_kind_received": [dict(x) for x in self.in_kind],
            "withdrawn": self.withdrawn,
        }
