"""Use cases of partners, mixed into BudgetApplication: a partner joined, its contribution
agreed, its cash received as ledger income on line `contributions` (source `contribution`,
or `grant` for a government grant; `source_ref` the partner) with the revenue targets
checked in the same transaction, what it gives in kind received on the partner (not
income), a partner withdrawn."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from services.common.domain import CommandContext
from services.common.errors import NotFound

from . import partners_commands as c
from .domain import Income
from .partners import Partner

LINE = "contributions"  # the budget line partners' cash is income on


class PartnerUseCases:
    """Needs the BudgetApplication it is mixed into: its repository, books and save."""

    def join_partner(self, conference_id: str, cmd: c.JoinPartner, ctx: CommandContext):
        self._ledger_for_command(conference_id, ctx)
        partner = Partner.made(
            Partner.PartnerJoined,
            uuid.uuid4(),
            partner=cmd.partner,
            role=cmd.role,
            meta=ctx.meta(conference_id),
        )
        self.save(partner)
        return partner.view(0)

    def agree_contribution(self, partner_id: str, cmd: c.AgreeContribution, ctx: CommandContext):
        partner = self.partner(partner_id)
        if cmd.currency is not None:
            self._same_currency(self.ledger(partner.conference_id), cmd.currency)
        partner.agree(
            cmd.form,
            ctx.meta(partner.conference_id),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            share_bp=cmd.share_bp,
        )
        self.save(partner)
        return self.partner_view(partner_id)

    def receive_contribution(
        self, partner_id: str, cmd: c.ReceiveContribution, ctx: CommandContext
    ) -> dict[str, Any]:
        partner = self.partner(partner_id)
        conference_id = partner.conference_id
        meta = ctx.meta(conference_id)
        self._same_currency(self.ledger(conference_id), cmd.currency)
        partner.check_cash(cmd.amount_minor, self._contributed(partner))
        income = Income.made(
            Income.IncomeRecorded,
            uuid.uuid4(),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=LINE,
            source=cmd.source,
            source_ref=str(partner.id),
            fapiao_number=cmd.fapiao_number,
            meta=meta,
        )
        behind = self._revenue_after(conference_id, [income], meta, cmd.received_on)
        self.save(income, *behind)
        return self.partner_view(partner_id)

    def receive_contribution_in_kind(
        self, partner_id: str, cmd: c.ReceiveContributionInKind, ctx: CommandContext
    ) -> dict[str, Any]:
        """Received in kind: recorded on the partner, in the book currency; no ledger
        entry and no revenue check, as a sponsor's in-kind item (no cash came in)."""
        partner = self.partner(partner_id)
        self._same_currency(self.ledger(partner.conference_id), cmd.currency)
        item = {
            "kind": cmd.kind,
            "description": cmd.description,
            "value_minor": cmd.value_minor,
            "currency": cmd.currency,
            "received_on": cmd.received_on.isoformat(),
            "proof_ref": cmd.proof_ref,
        }
        partner.receive_in_kind(item, ctx.meta(partner.conference_id))
        self.save(partner)
        return self.partner_view(partner_id)

    def withdraw_partner(self, partner_id: str, cmd: c.WithdrawPartner, ctx: CommandContext):
        partner = self.partner(partner_id)
        partner.withdraw(cmd.reason, ctx.meta(partner.conference_id))
        self.save(partner)
        return self.partner_view(partner_id)

    def partner(self, partner_id: Any) -> Partner:
        try:
            found = self.repository.get(uuid.UUID(str(partner_id)))
        except (ValueError, AggregateNotFoundError):
            found = None
        if not isinstance(found, Partner):
            raise NotFound(f"no partner {partner_id}", "partner_id")
        return found

    def partner_view(self, partner_id: Any) -> dict[str, Any]:
        partner = self.partner(partner_id)
        return partner.view(self._contributed(partner))

    def _contributed(self, partner: Partner) -> int:
        """The partner's cash in the ledger, from budget's own store (books.py)."""
        ref = str(partner.id)
        return sum(
            row["amount_minor"]
            for row in self.books.entries_of(partner.conference_id)
            if row["kind"] == "income" and row["category"] == LINE and row["source_ref"] == ref
        )
