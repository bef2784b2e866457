"""Use cases of budget: draft, approve and revise a conference's budget, estimate costs,
record income and expense and pay vendors; and its `policy`, which keeps the ledger of
what other services report (registration's payments and refunds, vendors' contracts and
deliveries) and warns when committed plus spent goes over budget."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from marshmallow import ValidationError

from services.common.domain import CommandContext
from services.common.envelope import to_json_value
from services.common.errors import Conflict, InvalidCommand, NotFound, Unavailable, about
from services.common.sinks import UpstreamEvent
from services.common.store import OnSaved, ServiceApplication

from . import commands as c
from . import invoicing, overruns, settlement
from .books import Books, Figures
from .domain import (
    Budget,
    ContractAccount,
    CostSheet,
    Expense,
    Income,
    Ledger,
    Reversal,
    Settlement,
    account_id,
    budget_id,
    caused_id,
    check_per_speaker,
    ledger_id,
    settlement_id,
)
from .events import CATALOG
from .index import AggregateIndex
from .partners_app import PartnerUseCases
from .payouts_app import PayoutUseCases
from .revenue_app import RevenueUseCases, day_of, today
from .sponsorship_app import SponsorshipUseCases
from .vendor_fapiao_app import VendorFapiaoUseCases

DEFAULT_CURRENCY = "CNY"  # the book currency of a conference that names none (design, 8)
CONFERENCE = "conference"  # the scope whose budget the ledger is checked against
Refresh = Callable[[], Any]


class BudgetApplication(
    SponsorshipUseCases,
    PayoutUseCases,
    RevenueUseCases,
    VendorFapiaoUseCases,
    PartnerUseCases,
    ServiceApplication,
):
    name = "budget"
    # A budget, a ledger and a contract's account are read for each event about them;
    # snapshots keep that read short however long their history grows.
    is_snapshotting_enabled = True
    snapshotting_intervals: ClassVar = {Budget: 50, Ledger: 50, ContractAccount: 50}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        on_saved: OnSaved | None = None,
        *,
        refresh_conferences: Refresh | None = None,
    ) -> None:
        super().__init__(env, on_saved)
        self.refresh_conferences = refresh_conferences
        self.books = Books(self)
        self.index = AggregateIndex(self)

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        _publishable(objs)
        return super().save(*objs, **kwargs)

    # -- the budget ------------------------------------------------------------------
    def set_budget(self, conference_id: str, cmd: c.SetBudget, ctx: CommandContext) -> Budget:
        """Draft the budget of a scope, or change its draft: the lines as they now stand."""
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        meta = ctx.meta(conference_id)
        lines = [dict(x) for x in cmd.lines]
        budget = self._budget_or_none(conference_id, cmd.scope)
        if budget is None:
            budget = Budget(
                scope=cmd.scope,
                currency=cmd.currency,
                lines=lines,
                ceiling_minor=cmd.ceiling_minor,
                meta=meta,
            )
        else:
            budget.change_draft(lines, cmd.ceiling_minor, cmd.note, meta)
        self.save(*_new(ledger), budget)
        return budget

    def approve_budget(
        self, conference_id: str, cmd: c.ApproveBudget, ctx: CommandContext
    ) -> Budget:
        """Approve the draft as version 1, or as the next revision (with its reason); the
        conference's budget then checks the ledger against the version now in force."""
        budget = self.budget(conference_id, cmd.scope)
        meta = ctx.meta(conference_id)
        with about("scope"):
            budget.approve(list(cmd.approvers), cmd.reason, cmd.note, cmd.overrun_margin_bp, meta)
        ledger = self._ledger(conference_id, meta)
        checked = self._check_overruns(ledger, [], meta, budget) if cmd.scope == CONFERENCE else []
        if cmd.scope == CONFERENCE:  # a revised plan may put revenue behind, or back
            checked += self._revenue_checked(conference_id, [], meta, today(), budget)
        self.save(budget, *_new(ledger), *checked)
        return budget

    def set_alert(self, conference_id: str, cmd: c.SetAlert, ctx: CommandContext) -> Budget:
        """Warn when a line reaches a share of its plan; checked at once, then with every
        change to the ledger."""
        budget = self.budget(conference_id, cmd.scope)
        meta = ctx.meta(conference_id)
        budget.set_alert(cmd.line, cmd.warn_percent, meta)
        ledger = self._ledger(conference_id, meta)
        checked = self._check_overruns(ledger, [], meta, budget) if cmd.scope == CONFERENCE else []
        self.save(budget, *_new(ledger), *checked)
        return budget

    def estimate_costs(
        self, conference_id: str, cmd: c.EstimateCosts, ctx: CommandContext
    ) -> CostSheet:
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        if cmd.behaviour == "variable" and cmd.headcount is None:
            raise InvalidCommand("is required to price variable costs per head", "headcount")
        check_per_speaker(cmd.behaviour, cmd.lines, cmd.speaker_count)
        sheet = CostSheet.made(
            CostSheet.CostsEstimated,
            uuid.uuid4(),
            scope=cmd.scope,
            behaviour=cmd.behaviour,
            lines=[dict(x) for x in cmd.lines],
            total_minor=sum(x["amount_minor"] for x in cmd.lines),
            currency=cmd.currency,
            headcount=cmd.headcount,
            speaker_count=cmd.speaker_count,
            meta=ctx.meta(conference_id),
        )
        self.save(*_new(ledger), sheet)
        return sheet

    # -- the ledger: what people record ------------------------------------------------
    def record_expense(
        self, conference_id: str, cmd: c.RecordExpense, ctx: CommandContext
    ) -> dict[str, Any]:
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        meta = ctx.meta(conference_id)
        expense = Expense.made(
            Expense.ExpenseRecorded,
            uuid.uuid4(),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=cmd.category,
            source_ref=cmd.source_ref,
            fapiao_number=cmd.fapiao_number,
            meta=meta,
        )
        checked = self._check_overruns(ledger, [expense], meta)
        self.save(*_new(ledger), expense, *checked)
        return self.entry(conference_id, expense.id)

    def record_income(
        self, conference_id: str, cmd: c.RecordIncome, ctx: CommandContext
    ) -> dict[str, Any]:
        ledger = self._ledger_for_command(conference_id, ctx)
        self._same_currency(ledger, cmd.currency)
        income = Income.made(
            Income.IncomeRecorded,
            uuid.uuid4(),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=cmd.category,
            source=cmd.source,
            source_ref=cmd.source_ref,
            fapiao_number=cmd.fapiao_number,
            meta=ctx.meta(conference_id),
        )
        behind = self._revenue_after(conference_id, [income], ctx.meta(conference_id), today())
        self.save(*_new(ledger), income, *behind)
        return self.entry(conference_id, income.id)

    def pay_vendor(self, contract_id: str, cmd: c.PayVendor, ctx: CommandContext) -> dict:
        """A payment to a vendor under its contract: the account's VendorPaid and the
        ledger's expense, against the contract's budget line, in one transaction."""
        account = self.account(contract_id)
        conference_id = account.conference_id
        ledger = self._ledger(conference_id, ctx.meta(conference_id))
        self._same_currency(ledger, cmd.currency)
        if cmd.currency != account.currency:
            raise InvalidCommand(
                f"must be the contract's currency {account.currency}, got {cmd.currency}",
                "currency",
            )
        meta = ctx.meta(conference_id)
        # the fapiao named, or else the one received that covers this payment (2.4.3)
        number = cmd.fapiao_number or account.fapiao_for_next_payment()
        with about("contract_id"):
            account.pay(
                amount_minor=cmd.amount_minor,
                kind=cmd.kind,
                method=cmd.method,
                paid_on=cmd.paid_on.isoformat(),
                fapiao_number=number,
                meta=meta,
            )
        account.settle_when_done(meta)
        expense = Expense.made(
            Expense.ExpenseRecorded,
            uuid.uuid4(),
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            category=account.line,
            source_ref=account.contract_id,
            fapiao_number=number,
            contract_id=account.contract_id,
            vendor_id=account.vendor_id,
            meta=meta,
        )
        checked = self._check_overruns(ledger, [account, expense], meta)
        self.save(*_new(ledger), account, expense, *checked)
        return self.account_state(contract_id)

    # -- settlement ----------------------------------------------------------------------
    def statement(self, conference_id: str) -> dict[str, Any]:
        """The settlement statement: each line's plan against the ledger, the payables,
        the balance, and whether the accounts are settled."""
        ledger = self.ledger(conference_id)
        budget = self._budget_or_none(conference_id, CONFERENCE)
        approved = budget.approved if budget is not None else None
        view = settlement.statement(
            conference_id, ledger.currency, approved, self.books.of(conference_id)
        )
        view["settled"] = self.exists(settlement_id(conference_id))
        return view

    def complete_settlement(self, conference_id: str, ctx: CommandContext) -> dict[str, Any]:
        """Close the accounts: SettlementCompleted with income less expense, once; refused
        while a payable is open (a signed contract neither paid in full nor cancelled)."""
        view = self.statement(conference_id)
        if view["settled"]:
            raise Conflict(f"conference {conference_id} is settled already", "conference_id")
        if view["payables_open"]:
            raise Conflict(
                f"{view['payables_open']} payables are open: pay or cancel them first",
                "conference_id",
            )
        income, expense = view["income_minor"], view["expense_minor"]
        done = Settlement(
            amount_minor=abs(income - expense),
            currency=view["currency"],
            income_minor=income,
            expense_minor=expense,
            result=settlement.result(income, expense),
            meta=ctx.meta(conference_id),
        )
        self.save(done)
        return self.statement(conference_id)

    # -- policy: the ledger follows registration and vendors ------------------------------
    def policy(self, domain_event: UpstreamEvent, processing_event: ProcessingEvent) -> None:
        envelope, payload = domain_event.envelope, domain_event.payload
        conference_id = envelope.conference_id
        if conference_id is None:
            return
        react = POLICY.get((envelope.service, envelope.event_type))
        if react is None:
            return
        meta = CommandContext.caused_by(envelope).meta(conference_id)
        ledger = self._ledger(conference_id, meta, opened_in(envelope, payload))
        changed = [*_new(ledger), *react(self, envelope, payload, ledger, meta)]
        changed += self._revenue_after(conference_id, changed, meta, day_of(envelope.occurred_at))
        _publishable(changed)
        processing_event.collect_events(*changed)

    def _conference_opened(self, envelope, payload, ledger, meta) -> list[Any]:
        return []  # `_ledger` opened it

    def _payment_received(self, envelope, payload, ledger, meta) -> list[Any]:
        """A registration payment: its income, and the channel's fee as an expense."""
        order = envelope.aggregate_id
        entries: list[Any] = [
            Income.made(
                Income.IncomeRecorded,
                caused_id(envelope.event_id, "income"),
                amount_minor=payload["amount_minor"],
                currency=payload["currency"],
                category="registration",
                source="registration",
                source_ref=order,
                meta=meta,
            )
        ]
        if payload.get("fee_minor"):
            entries.append(
                Expense.made(
                    Expense.ExpenseRecorded,
                    caused_id(envelope.event_id, "fee"),
                    amount_minor=payload["fee_minor"],
                    currency=payload["currency"],
                    category="payment_fees",
                    source_ref=order,
                    meta=meta,
                )
            )
        return entries + self._check_overruns(ledger, entries, meta)

    def _refund_completed(self, envelope, payload, ledger, meta) -> list[Any]:
        """A refund reverses the income of its order, by what it gave back."""
        return [
            Reversal.made(
                Reversal.IncomeReversed,
                caused_id(envelope.event_id, "reversal"),
                amount_minor=payload["amount_minor"],
                currency=payload["currency"],
                category="registration",
                source="registration",
                source_ref=envelope.aggregate_id,
                meta=meta,
            )
        ]

    def _contract_signed(self, envelope, payload, ledger, meta) -> list[Any]:
        """A signed contract commits its amount against the line of its category; it is
        within budget if the line's approved amount still covers everything committed
        and spent on it."""
        if self.exists(account_id(envelope.aggregate_id)):
            return []  # recorded already (a contract is signed once)
        figures = self.books.of(ledger.conference_id)
        line = payload["category"]
        planned = self._planned(ledger.conference_id)
        exposure = figures.committed()[line] + figures.actual[line] + payload["amount_minor"]
        account = ContractAccount(
            contract_id=envelope.aggregate_id,
            vendor_id=payload["vendor_id"],
            line=line,
            amount_minor=payload["amount_minor"],
            currency=payload["currency"],
            within_budget=line in planned and exposure <= planned[line],
            approved_by=envelope.actor,
            scope=payload.get("scope") or CONFERENCE,
            meta=meta,
        )
        return [account, *self._check_overruns(ledger, [account], meta)]

    def _contract_cancelled(self, envelope, payload, ledger, meta) -> list[Any]:
        account = self._account_or_none(envelope.aggregate_id)
        if account is None or account.cancelled:
            return []  # cancelled unsigned: nothing was committed
        account.cancel(payload["reason"], meta)
        return [account, *self._check_overruns(ledger, [account], meta)]

    def _delivery_accepted(self, envelope, payload, ledger, meta) -> list[Any]:
        account = self._account_or_none(str(payload["contract_id"]))
        if account is None:
            return []
        account.accept_delivery(meta)
        return [account]

    # -- overruns ------------------------------------------------------------------------
    def _check_overruns(
        self,
        ledger: Ledger,
        changed: list[Any],
        meta: dict[str, Any],
        budget: Budget | None = None,
    ) -> list[Any]:
        """The ledger's warnings (and clearings) once `changed` is saved: an overrun is
        recorded once per crossing of the conference budget's approved amount."""
        budget = budget or self._budget_or_none(ledger.conference_id, CONFERENCE)
        if budget is None or budget.approved is None:
            return []  # nothing approved: nothing to go over
        pending = [e for agg in changed for e in agg.pending_events]
        figures = self.books.of(ledger.conference_id).with_events(pending)
        margin = budget.approved["overrun_margin_bp"]
        rows = overruns.figures(
            budget.planned_expense(), figures.committed(), figures.actual, ledger.over
        )
        recorded = False
        for row in rows:
            figure = {
                **row,
                "scope": CONFERENCE,
                "margin_bp": margin,
                "currency": ledger.currency,
                "budget_version": budget.approved_version,
            }
            recorded |= ledger.observe(figure, overruns.over(row, margin), meta)
        planned = budget.planned_expense()
        committed = figures.committed()
        for line, percent in sorted(budget.alerts.items()):
            spent = committed[line] + figures.actual[line]
            if planned.get(line) and overruns.reached(spent, planned[line], percent):
                figure = {
                    "line": line,
                    "planned_minor": planned[line],
                    "committed_minor": committed[line],
                    "actual_minor": figures.actual[line],
                    "currency": ledger.currency,
                    "warn_percent": percent,
                    "budget_version": budget.approved_version,
                }
                recorded |= ledger.alert(figure, meta)
        return [ledger] if recorded else []

    def _planned(self, conference_id: str) -> dict[str, int]:
        budget = self._budget_or_none(conference_id, CONFERENCE)
        return budget.planned_expense() if budget is not None else {}

    # -- what commands and queries read ---------------------------------------------------
    def budget(self, conference_id: str, scope: str = CONFERENCE) -> Budget:
        budget = self._budget_or_none(conference_id, scope)
        if budget is None:
            raise NotFound(f"conference {conference_id} has no {scope} budget", "conference_id")
        return budget

    def _budget_or_none(self, conference_id: str, scope: str) -> Budget | None:
        try:
            return self.repository.get(budget_id(str(conference_id), scope))
        except AggregateNotFoundError:
            return None

    def account(self, contract_id: Any) -> ContractAccount:
        account = self._account_or_none(str(contract_id))
        if account is None:
            raise NotFound(
                f"no signed contract {contract_id} in budget (is it signed?)", "contract_id"
            )
        return account

    def _account_or_none(self, contract_id: str) -> ContractAccount | None:
        try:
            return self.repository.get(account_id(contract_id))
        except AggregateNotFoundError:
            return None

    def account_state(self, contract_id: Any) -> dict[str, Any]:
        a = self.account(contract_id)
        return {
            "contract_id": a.contract_id,
            "conference_id": a.conference_id,
            "vendor_id": a.vendor_id,
            "line": a.line,
            "scope": a.scope,
            "amount_minor": a.amount_minor,
            "paid_minor": a.paid_minor,
            "open_minor": a.open_minor,
            "currency": a.currency,
            "due": a.due,
            "cancelled": a.cancelled,
            "invoiced_minor": a.invoiced_minor,
            "input_vat_minor": a.input_vat_minor,
            "fapiao_numbers": [number for number, _ in a.fapiaos],
            "settled": a.settled,
        }

    def ledger(self, conference_id: str) -> Ledger:
        try:
            return self.repository.get(ledger_id(str(conference_id)))
        except AggregateNotFoundError:
            raise NotFound(f"no conference {conference_id} in budget", "conference_id") from None

    def entry(self, conference_id: str, entry_id: Any) -> dict[str, Any]:
        """One entry of the ledger as it is shown."""
        wanted = str(entry_id)
        for row in self.books.entries_of(conference_id):
            if row["entry_id"] == wanted:
                return row
        raise NotFound(f"no ledger entry {entry_id}", "entry_id")

    def figures(self, conference_id: str) -> Figures:
        return self.books.of(conference_id)

    def entries(self, conference_id: str) -> list[dict[str, Any]]:
        self.ledger(conference_id)  # NotFound for a conference budget never heard of
        return self.books.entries_of(conference_id)

    # -- the conference and its book currency --------------------------------------------
    def _ledger(
        self, conference_id: str, meta: dict[str, Any], currency: str = DEFAULT_CURRENCY
    ) -> Ledger:
        """The conference's ledger, opened now (pending) if it is not yet: by checklist's
        ConferenceOpened, or by whatever event of the conference comes first (the logs of
        two upstreams may be read in either order), in the conference's currency
        (ConferenceOpened's; CNY for a conference that names none)."""
        try:
            return self.repository.get(ledger_id(conference_id))
        except AggregateNotFoundError:
            return Ledger(currency=currency, meta=meta)

    def _ledger_for_command(self, conference_id: str, ctx: CommandContext) -> Ledger:
        """A command's conference must be one checklist opened: its ledger is open."""
        conference_id = str(conference_id)
        if not self.exists(ledger_id(conference_id)):
            self._refresh_conferences(conference_id)
        if not self.exists(ledger_id(conference_id)):
            raise InvalidCommand(f"unknown conference {conference_id}", "conference_id")
        return self.ledger(conference_id)

    def _refresh_conferences(self, conference_id: str) -> None:
        if self.refresh_conferences is None:
            return
        try:  # it may have been opened a moment ago: read checklist's log first
            self.refresh_conferences()
        except Exception as exc:  # noqa: BLE001 - any failure: we cannot tell yet
            raise Unavailable(
                f"cannot confirm conference {conference_id}: checklist's log cannot be read "
                f"({type(exc).__name__}); try again once checklist is running",
                field="conference_id",
            ) from exc

    @staticmethod
    def _same_currency(ledger: Ledger, currency: str) -> None:
        if currency != ledger.currency:
            raise InvalidCommand(
                f"must be the conference's book currency {ledger.currency}, got {currency}",
                "currency",
            )


# Not what happened: the event's identity and `meta`, shown apart.
HIDDEN = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


def _publishable(aggregates: Any) -> None:
    """Refuse, before anything is stored, an event its contract would not publish (a sum
    past the largest amount a payload carries): the relay stops at a stored event it
    cannot publish, so none may be stored."""
    for aggregate in aggregates:
        for event in getattr(aggregate, "pending_events", ()):
            name = type(event).__name__
            payload = {k: to_json_value(v) for k, v in vars(event).items() if k not in HIDDEN}
            try:
                CATALOG.validate_outgoing(name, payload)
            except ValidationError as exc:
                field = next(iter(exc.messages), None) if isinstance(exc.messages, dict) else None
                raise InvalidCommand(
                    f"it would record {name} that its contract refuses: {exc.messages}",
                    field="amount_minor" if field in SUMS else field,
                ) from None


# Fields of the ledger's sums: past the largest amount only by adding amounts up.
SUMS = {"committed_minor", "actual_minor", "approved_minor", "total_minor", "due_minor"}


def opened_in(envelope: Any, payload: dict[str, Any]) -> str:
    """The book currency an upstream event says: the conference's, when checklist opens it."""
    if (envelope.service, envelope.event_type) == ("checklist", "ConferenceOpened"):
        return payload.get("currency") or DEFAULT_CURRENCY
    return DEFAULT_CURRENCY


def _new(aggregate: Any) -> list[Any]:
    """The aggregate if it was created just now (a ledger opened by this command or
    event): saved first, so that its log opens the ledger before any entry. One that was
    stored comes after the entries, with the warnings they caused."""
    return [aggregate] if aggregate.version == len(aggregate.pending_events) else []


POLICY: dict[tuple[str, str], Callable[..., list[Any]]] = {
    ("checklist", "ConferenceOpened"): BudgetApplication._conference_opened,
    ("registration", "PaymentReceived"): BudgetApplication._payment_received,
    ("registration", "RefundCompleted"): BudgetApplication._refund_completed,
    ("registration", "FapiaoIssued"): invoicing.with_fapiao,
    ("vendors", "ContractSigned"): BudgetApplication._contract_signed,
    ("vendors", "ContractCancelled"): BudgetApplication._contract_cancelled,
    ("vendors", "DeliveryAccepted"): BudgetApplication._delivery_accepted,
}
