"""Use cases paying people, mixed into BudgetApplication: a speaker's honorarium with its
income tax withheld, booked as an expense of its gross; a cash advance issued, then
reconciled, its receipts booked as expenses on their lines. Each in one transaction with
its ledger entries and the overrun warnings they cause."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from services.common.domain import CommandContext
from services.common.errors import NotFound

from . import payouts_commands as c
from .domain import Expense
from .iit import withholding
from .payouts import CashAdvance, Honorarium


class PayoutUseCases:
    """Needs the BudgetApplication it is mixed into: its repository, save and ledger."""

    def pay_honorarium(self, conference_id: str, cmd: c.PayHonorarium, ctx: CommandContext):
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        meta = ctx.meta(conference_id)
        tax = withholding(cmd.gross_minor)
        honorarium = Honorarium.made(
            Honorarium.HonorariumBooked,
            uuid.uuid4(),
            speaker=cmd.speaker,
            speaker_id=None if cmd.speaker_id is None else str(cmd.speaker_id),
            category=cmd.category,
            gross_minor=cmd.gross_minor,
            taxable_minor=tax.taxable_minor,
            tax_rate_bp=tax.tax_rate_bp,
            quick_deduction_minor=tax.quick_deduction_minor,
            iit_withheld_minor=tax.withheld_minor,
            amount_minor=tax.net_minor,
            currency=cmd.currency,
            paid_on=cmd.paid_on.isoformat(),
            method=cmd.method,
            meta=meta,
        )
        # the whole gross is the conference's cost: the net to the speaker, the tax to
        # the tax bureau on the speaker's behalf
        expense = Expense.made(
            Expense.ExpenseRecorded,
            uuid.uuid4(),
            amount_minor=cmd.gross_minor,
            currency=cmd.currency,
            category=cmd.category,
            source_ref=str(honorarium.id),
            meta=meta,
        )
        checked = self._check_overruns(ledger, [expense], meta)
        self.save(honorarium, expense, *checked)
        return honorarium.view()

    def issue_advance(self, conference_id: str, cmd: c.IssueCashAdvance, ctx: CommandContext):
        """Cash drawn ahead: not spent yet, so no ledger entry until it is reconciled."""
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        advance = CashAdvance.made(
            CashAdvance.CashAdvanceIssued,
            uuid.uuid4(),
            purpose=cmd.purpose,
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            holder=cmd.holder,
            meta=ctx.meta(conference_id),
        )
        self.save(advance)
        return advance.view()

    def reconcile_advance(
        self, advance_id: str, cmd: c.ReconcileCashAdvance, ctx: CommandContext
    ) -> dict[str, Any]:
        advance = self.advance(advance_id)
        meta = ctx.meta(advance.conference_id)
        spent = sum(r["amount_minor"] for r in cmd.receipts)
        advance.reconcile(spent, cmd.returned_minor, meta)
        expenses = [
            Expense.made(
                Expense.ExpenseRecorded,
                uuid.uuid4(),
                amount_minor=r["amount_minor"],
                currency=advance.currency,
                category=r["category"],
                source_ref=r.get("source_ref") or str(advance.id),
                fapiao_number=r.get("fapiao_number"),
                meta=meta,
            )
            for r in cmd.receipts
        ]
        ledger = self.ledger(advance.conference_id)
        checked = self._check_overruns(ledger, expenses, meta)
        self.save(advance, *expenses, *checked)
        return advance.view()

    def advance(self, advance_id: Any) -> CashAdvance:
        try:
            found = self.repository.get(uuid.UUID(str(advance_id)))
        except (ValueError, AggregateNotFoundError):
            found = None
        if not isinstance(found, CashAdvance):
            raise NotFound(f"no cash advance {advance_id}", "advance_id")
        return found
