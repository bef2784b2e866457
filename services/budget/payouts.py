"""Money paid out to people, as aggregates (no I/O: ids, dates and `meta` passed in):

- `Honorarium`: one speaker's fee paid once, its income tax withheld (iit.py): the gross
  is the conference's expense, the net what the speaker receives.
- `CashAdvance` (备用金): cash drawn by a staff member for what is paid on the spot, then
  reconciled once: the receipts spent and the cash handed back must make up the advance
  to the fen; a difference is refused, naming it, until it is accounted for.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from services.common.errors import Conflict, InvalidCommand

from .domain import BudgetAggregate


class Honorarium(BudgetAggregate):
    """A speaker's fee paid: gross, the tax withheld on it, the net paid."""

    @event("HonorariumBooked")
    def __init__(
        self,
        speaker: str,
        category: str,
        gross_minor: int,
        taxable_minor: int,
        tax_rate_bp: int,
        quick_deduction_minor: int,
        iit_withheld_minor: int,
        amount_minor: int,
        currency: str,
        paid_on: str,
        meta: dict[str, Any],
        speaker_id: str | None = None,
        method: str | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.speaker = speaker
        self.category = category
        self.gross_minor = gross_minor
        self.taxable_minor = taxable_minor
        self.tax_rate_bp = tax_rate_bp
        self.quick_deduction_minor = quick_deduction_minor
        self.iit_withheld_minor = iit_withheld_minor
        self.amount_minor = amount_minor
        self.currency = currency
        self.paid_on = paid_on

    def view(self) -> dict[str, Any]:
        return {
            "honorarium_id": str(self.id),
            "conference_id": self.conference_id,
            "speaker": self.speaker,
            "line": self.category,
            "gross_minor": self.gross_minor,
            "taxable_minor": self.taxable_minor,
            "tax_rate_bp": self.tax_rate_bp,
            "quick_deduction_minor": self.quick_deduction_minor,
            "iit_withheld_minor": self.iit_withheld_minor,
            "net_minor": self.amount_minor,
            "currency": self.currency,
            "paid_on": self.paid_on,
        }


class CashAdvance(BudgetAggregate):
    """Cash drawn ahead by a holder, and its reconciliation."""

    @event("CashAdvanceIssued")
    def __init__(
        self, purpose: str, amount_minor: int, currency: str, holder: str, meta: dict[str, Any]
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.purpose = purpose
        self.amount_minor = amount_minor
        self.currency = currency
        self.holder = holder
        self.reconciled: dict[str, int] | None = None

    def reconcile(self, spent_minor: int, returned_minor: int, meta: dict[str, Any]) -> None:
        if self.reconciled is not None:
            raise Conflict(f"cash advance {self.id} is reconciled already", "advance_id")
        difference = spent_minor + returned_minor - self.amount_minor
        if difference:
            raise InvalidCommand(
                f"the receipts ({spent_minor}) and the cash returned ({returned_minor}) make "
                f"{spent_minor + returned_minor}: {abs(difference)} "
                f"{'more' if difference > 0 else 'less'} than the advance {self.amount_minor}",
                "returned_minor",
            )
        self._reconciled(
            advanced_minor=self.amount_minor,
            spent_minor=spent_minor,
            returned_minor=returned_minor,
            currency=self.currency,
            receipts_complete=True,
            meta=meta,
        )

    @event("CashAdvanceReconciled")
    def _reconciled(
        self,
        advanced_minor: int,
        spent_minor: int,
        returned_minor: int,
        currency: str,
        receipts_complete: bool,
        meta: dict[str, Any],
    ) -> None:
        self.reconciled = {"spent_minor": spent_minor, "returned_minor": returned_minor}

    def view(self) -> dict[str, Any]:
        return {
            "advance_id": str(self.id),
            "conference_id": self.conference_id,
            "purpose": self.purpose,
            "holder": self.holder,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "reconciled": self.reconciled is not None,
            **(self.reconciled or {}),
        }
