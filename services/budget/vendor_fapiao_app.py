"""Use cases of vendors' fapiao, mixed into BudgetApplication: a fapiao received against a
contract (VendorInvoiceReceived) gives its number to the contract's payments booked
without one (a second ExpenseRecorded of each such entry, as registration income is given
its fapiao: invoicing.py), and the contract is settled (VendorSettled) once all of it is
paid and invoiced; all in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, about

from . import vendor_fapiao_commands as c
from .domain import BudgetAggregate, ContractAccount
from .vat import split_gross
from .vendor_fapiao import to_number


class Expense:
    """Only a namespace: the event below is an expense entry's, `Expense.ExpenseRecorded`
    by its qualified name, as the entry's first one is (domain.Expense)."""

    class ExpenseRecorded(BudgetAggregate.Event):
        amount_minor: int
        currency: str
        category: str
        source_ref: str
        fapiao_number: str
        contract_id: str
        vendor_id: str
        meta: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            pass  # the entry keeps nothing: the books read its number from the event


class VendorFapiaoUseCases:
    """Needs the BudgetApplication it is mixed into: its repository, books and save."""

    def receive_vendor_fapiao(
        self, contract_id: str, cmd: c.ReceiveVendorFapiao, ctx: CommandContext
    ) -> dict[str, Any]:
        account = self.account(contract_id)
        meta = ctx.meta(account.conference_id)
        if account.currency != "CNY":
            raise InvalidCommand(
                f"must be a contract in CNY (a fapiao is in yuan), not {account.currency}",
                "contract_id",
            )
        self._fapiao_new_to_conference(account.conference_id, cmd.fapiao_number)
        with about("contract_id"):
            account.receive_fapiao(cmd.vendor_id, fapiao_fields(cmd), meta)
        numbered = self._number_payments(account, meta)
        account.settle_when_done(meta)
        self.save(account, *numbered)
        return self.account_state(contract_id)

    def _fapiao_new_to_conference(self, conference_id: str, number: str) -> None:
        """A fapiao number is the tax bureau's, once in the country: taken against another
        contract of the conference, it is a mistake or the same fapiao twice."""
        if number in self.books.vendor_fapiao_numbers(conference_id):
            raise Conflict(f"fapiao {number} is received already", "fapiao_number")

    def _number_payments(self, account: ContractAccount, meta: dict[str, Any]) -> list[Any]:
        """The contract's expense entries the fapiao received now covers, each recorded
        again with its number."""
        rows = [
            row
            for row in self.books.entries_of(account.conference_id)
            if row["kind"] == "expense" and row["contract_id"] == account.contract_id
        ]
        by_id = {row["entry_id"]: row for row in rows}
        payments = [(r["entry_id"], r["amount_minor"], r["fapiao_number"]) for r in rows]
        numbered = []
        for entry_id, number in to_number(payments, account.fapiaos):
            row = by_id[entry_id]
            entry = self.repository.get(uuid.UUID(entry_id))
            entry.trigger_event(
                Expense.ExpenseRecorded,
                amount_minor=row["amount_minor"],
                currency=row["currency"],
                category=row["category"],
                source_ref=row["source_ref"],
                fapiao_number=number,
                contract_id=row["contract_id"],
                vendor_id=row["vendor_id"],
                meta=meta,
            )
            numbered.append(entry)
        return numbered


def fapiao_fields(cmd: c.ReceiveVendorFapiao) -> dict[str, Any]:
    """The fapiao as VendorInvoiceReceived carries it: net and tax split from the gross at
    its rate when they are not given (vat.py), so that net + tax is the gross exactly."""
    net, tax = cmd.net_minor, cmd.tax_minor
    if net is None or tax is None:
        net, tax = split_gross(cmd.amount_minor, cmd.tax_rate_bp)
    return {
        "fapiao_number": cmd.fapiao_number,
        "amount_minor": cmd.amount_minor,
        "net_minor": net,
        "tax_minor": tax,
        "tax_rate_bp": cmd.tax_rate_bp,
        "fapiao_type": cmd.fapiao_type,
        "medium": cmd.medium,
        "seller_tax_id": cmd.seller_tax_id,
        "verified": cmd.verified,
    }
