"""Budget's aggregates. No I/O: ids, dates and `meta` are passed in; the conference of
each is its events' `meta["conference_id"]` (the envelope carries it, not the payload).

- `Budget`: one per conference and scope; drafted, approved (version 1), revised (2..),
  with its alerts.
- `CostSheet`: one estimate of fixed or variable costs; drawn up again, a new sheet.
- `Ledger`: one per conference: its book currency, and which lines (or the total) are
  over their approved amount, so that an overrun warns once per crossing.
- `Income`, `Expense`, `Reversal`: one entry of the ledger each, never edited.
- `ContractAccount`: what budget owes a vendor under one contract: the commitment, the
  payable once delivered, the payments, the vendor's fapiao and the settlement.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .vendor_fapiao import covering


class Absent:
    """Optional fields given as None are left out of the event: a published payload has
    no nulls, and the method's default stands for them when it is replayed."""

    def __post_init__(self) -> None:
        for key, value in list(self.__dict__.items()):
            if value is None:
                object.__delattr__(self, key)


class BudgetAggregate(Aggregate):
    class Event(Absent, Aggregate.Event):
        pass

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def made(cls, created: type, aggregate_id: UUID, **kwargs: Any) -> Any:
        """A new one of the given id (not derived from its payload), its optional fields
        defaulted as its constructor says."""
        params = inspect.signature(cls.__init__).parameters
        defaults = {
            name: p.default
            for name, p in params.items()
            if p.default is not inspect.Parameter.empty and name not in kwargs
        }
        return cls._create(created, id=aggregate_id, **defaults, **kwargs)


NAMESPACE = uuid.UUID("0f5d7c62-3b1e-4f4c-9a57-2b9c8e6d1a40")


def budget_id(conference_id: str, scope: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"budget:{conference_id}:{scope}")


def ledger_id(conference_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"ledger:{conference_id}")


def settlement_id(conference_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"settlement:{conference_id}")


def account_id(contract_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"contract:{contract_id}")


def caused_id(event_id: str, part: str) -> UUID:
    """The id of what an upstream event causes: the same whenever it is processed."""
    return uuid.uuid5(NAMESPACE, f"{part}:{event_id}")


def expense_planned(lines: list[dict[str, Any]]) -> dict[str, int]:
    """The approved expense of each budget line (several items of one line add up)."""
    planned: dict[str, int] = {}
    for x in lines:
        if not x["income"]:
            planned[x["line"]] = planned.get(x["line"], 0) + x["planned_minor"]
    return planned


class BudgetNotDrafted(Conflict):
    pass


class Budget(BudgetAggregate):
    """A conference's budget for one scope: the draft, and the versions approved."""

    @staticmethod
    def create_id(scope: str, meta: dict[str, Any]) -> UUID:
        return budget_id(meta["conference_id"], scope)

    @event("BudgetDrafted")
    def __init__(
        self,
        scope: str,
        currency: str,
        lines: list[dict[str, Any]],
        meta: dict[str, Any],
        ceiling_minor: int | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.scope = scope
        self.currency = currency
        self.draft: dict[str, Any] | None = _sheet(lines, ceiling_minor)
        self.approved: dict[str, Any] | None = None  # the version in force
        self.alerts: dict[str, int] = {}

    def change_draft(
        self,
        lines: list[dict[str, Any]],
        ceiling_minor: int | None,
        note: str | None,
        meta: dict[str, Any],
    ) -> None:
        self._draft_changed(
            scope=self.scope,
            currency=self.currency,
            lines=lines,
            ceiling_minor=ceiling_minor,
            note=note,
            meta=meta,
        )

    @event("BudgetDraftChanged")
    def _draft_changed(
        self,
        scope: str,
        currency: str,
        lines: list[dict[str, Any]],
        meta: dict[str, Any],
        ceiling_minor: int | None = None,
        note: str | None = None,
    ) -> None:
        self.draft = _sheet(lines, ceiling_minor)

    @property
    def approved_version(self) -> int:
        """The version in force; 0 before the first approval."""
        return self.approved["version"] if self.approved else 0

    def approve(
        self,
        approvers: list[str],
        reason: str | None,
        note: str | None,
        margin_bp: int,
        meta: dict[str, Any],
    ) -> None:
        """Approve the draft: version 1, then revisions (which need a reason)."""
        if self.draft is None:
            raise BudgetNotDrafted(
                f"budget {self.id} has no draft to approve: version "
                f"{self.approved_version} is in force; set its lines first"
            )
        sheet = {
            "scope": self.scope,
            "currency": self.currency,
            "lines": self.draft["lines"],
            "ceiling_minor": self.draft["ceiling_minor"],
            "approved_by": ", ".join(approvers),
            "approvers": list(approvers),
            "overrun_margin_bp": margin_bp,
            "meta": meta,
        }
        if self.approved is None:
            if reason is not None:
                raise InvalidCommand("the first approval is no revision: give no reason", "reason")
            self._approved(version=1, **sheet)
        elif reason is None:
            raise InvalidCommand(
                f"version {self.approved_version} is in force: a revision needs a reason",
                "reason",
            )
        else:
            self._revised(version=self.approved_version + 1, reason=reason, note=note, **sheet)

    @event("BudgetApproved")
    def _approved(
        self,
        version: int,
        scope: str,
        currency: str,
        lines: list[dict[str, Any]],
        approved_by: str,
        approvers: list[str],
        overrun_margin_bp: int,
        meta: dict[str, Any],
        ceiling_minor: int | None = None,
    ) -> None:
        self._in_force(version, lines, ceiling_minor, approved_by, None, overrun_margin_bp)

    @event("BudgetRevised")
    def _revised(
        self,
        version: int,
        reason: str,
        scope: str,
        currency: str,
        lines: list[dict[str, Any]],
        approved_by: str,
        approvers: list[str],
        overrun_margin_bp: int,
        meta: dict[str, Any],
        ceiling_minor: int | None = None,
        note: str | None = None,
    ) -> None:
        self._in_force(version, lines, ceiling_minor, approved_by, reason, overrun_margin_bp)

    def _in_force(
        self,
        version: int,
        lines: list[dict[str, Any]],
        ceiling_minor: int | None,
        approved_by: str,
        reason: str | None,
        margin_bp: int,
    ) -> None:
        self.approved = {
            "version": version,
            "lines": list(lines),
            "ceiling_minor": ceiling_minor,
            "approved_by": approved_by,
            "reason": reason,
            "overrun_margin_bp": margin_bp,
        }
        self.draft = None  # approved: the next change starts a new draft

    def starting_sheet(self) -> dict[str, Any]:
        """What a change starts from: the draft, or else the version in force."""
        if self.draft is not None:
            return self.draft
        assert self.approved is not None
        return _sheet(self.approved["lines"], self.approved["ceiling_minor"])

    def set_alert(self, line: str, warn_percent: int, meta: dict[str, Any]) -> None:
        self._alert_set(line=line, warn_percent=warn_percent, meta=meta)

    @event("BudgetAlertSet")
    def _alert_set(self, line: str, warn_percent: int, meta: dict[str, Any]) -> None:
        self.alerts[line] = warn_percent

    def planned_expense(self) -> dict[str, int]:
        return expense_planned(self.approved["lines"]) if self.approved else {}


def _sheet(lines: list[dict[str, Any]], ceiling_minor: int | None) -> dict[str, Any]:
    return {"lines": list(lines), "ceiling_minor": ceiling_minor}


def check_per_speaker(behaviour: str, lines: Any, speaker_count: int | None) -> None:
    """Lines priced per speaker: variable, for the speaker count given, each amount
    per_speaker_minor times it (the edge checks the same; this guards other callers)."""
    per_speaker = [(i, x) for i, x in enumerate(lines) if "per_speaker_minor" in x]
    if not per_speaker:
        return
    if behaviour != "variable":
        raise InvalidCommand("a fixed cost has no price per speaker", "lines")
    if speaker_count is None:
        raise InvalidCommand("is required to price costs per speaker", "speaker_count")
    for i, x in per_speaker:
        want = x["per_speaker_minor"] * speaker_count
        if x["amount_minor"] != want:
            raise InvalidCommand(
                f"must be per_speaker_minor times speaker_count = {want}",
                f"lines.{i}.amount_minor",
            )


class CostSheet(BudgetAggregate):
    """One cost estimate (2.2.4 variable, 2.2.5 fixed); the latest of a kind counts."""

    @event("CostsEstimated")
    def __init__(
        self,
        scope: str,
        behaviour: str,
        lines: list[dict[str, Any]],
        total_minor: int,
        currency: str,
        meta: dict[str, Any],
        headcount: int | None = None,
        speaker_count: int | None = None,  # absent from sheets before per-speaker lines
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.scope = scope
        self.behaviour = behaviour
        self.lines = list(lines)
        self.total_minor = total_minor
        self.currency = currency
        self.headcount = headcount
        self.speaker_count = speaker_count


class Ledger(BudgetAggregate):
    """The conference's ledger: its book currency, and what is over budget now."""

    @staticmethod
    def create_id(meta: dict[str, Any]) -> UUID:
        return ledger_id(meta["conference_id"])

    @event("LedgerOpened")
    def __init__(self, currency: str, meta: dict[str, Any]) -> None:
        self.conference_id = meta["conference_id"]
        self.currency = currency
        self.over: dict[str, dict[str, Any]] = {}  # line (or "total") -> its warning
        self.alerted: dict[str, list[int]] = {}  # line -> [budget version, percent] warned

    def observe(self, figure: dict[str, Any], over: bool, meta: dict[str, Any]) -> bool:
        """Warn when `figure`'s subject crosses over, clear when it falls back: once per
        crossing. True if it recorded an event."""
        line = figure["line"]
        if over and line not in self.over:
            self._overrun(**figure, meta=meta)
            return True
        if not over and line in self.over:
            self._cleared(**figure, meta=meta)
            return True
        return False

    @event("BudgetOverrunWarning")
    def _overrun(
        self,
        line: str,
        scope: str,
        approved_minor: int,
        committed_minor: int,
        actual_minor: int,
        margin_bp: int,
        currency: str,
        budget_version: int,
        meta: dict[str, Any],
    ) -> None:
        self.over[line] = {
            "line": line,
            "approved_minor": approved_minor,
            "committed_minor": committed_minor,
            "actual_minor": actual_minor,
            "budget_version": budget_version,
        }

    @event("BudgetOverrunCleared")
    def _cleared(
        self,
        line: str,
        scope: str,
        approved_minor: int,
        committed_minor: int,
        actual_minor: int,
        margin_bp: int,
        currency: str,
        budget_version: int,
        meta: dict[str, Any],
    ) -> None:
        self.over.pop(line, None)

    def alert(self, figure: dict[str, Any], meta: dict[str, Any]) -> bool:
        """Warn that a line reached its alert: once per budget version and threshold."""
        if self.alerted.get(figure["line"]) == [figure["budget_version"], figure["warn_percent"]]:
            return False
        self._alert_reached(**figure, meta=meta)
        return True

    @event("BudgetWarningRaised")
    def _alert_reached(
        self,
        line: str,
        planned_minor: int,
        actual_minor: int,
        currency: str,
        meta: dict[str, Any],
        committed_minor: int | None = None,
        warn_percent: int | None = None,
        budget_version: int | None = None,
    ) -> None:
        self.alerted[line] = [budget_version, warn_percent]


class Income(BudgetAggregate):
    """One income entry of the ledger."""

    @event("IncomeRecorded")
    def __init__(
        self,
        amount_minor: int,
        currency: str,
        category: str,
        meta: dict[str, Any],
        source: str | None = None,
        source_ref: str | None = None,
        fapiao_number: str | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]
        # what invoicing.py reads to give the entry the fapiao issued for it
        self.amount_minor = amount_minor
        self.currency = currency
        self.category = category
        self.source = source
        self.source_ref = source_ref
        self.fapiao_number = fapiao_number


class Expense(BudgetAggregate):
    """One expense entry of the ledger."""

    @event("ExpenseRecorded")
    def __init__(
        self,
        amount_minor: int,
        currency: str,
        category: str,
        meta: dict[str, Any],
        source_ref: str | None = None,
        fapiao_number: str | None = None,
        contract_id: str | None = None,
        vendor_id: str | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]


class Reversal(BudgetAggregate):
    """One reversing entry: income given back (a refund)."""

    @event("IncomeReversed")
    def __init__(
        self,
        amount_minor: int,
        currency: str,
        category: str,
        meta: dict[str, Any],
        source: str | None = None,
        source_ref: str | None = None,
        fapiao_number: str | None = None,
    ) -> None:
        self.conference_id = meta["conference_id"]


class ContractCancelledAlready(Conflict):
    pass


class ContractAccount(BudgetAggregate):
    """Budget's account with a vendor under one contract: committed when it is signed,
    due when its delivery is accepted, paid in one or more payments."""

    @staticmethod
    def create_id(contract_id: str) -> UUID:
        return account_id(str(contract_id))

    @event("CommitmentApproved")
    def __init__(
        self,
        contract_id: str,
        vendor_id: str,
        line: str,
        amount_minor: int,
        currency: str,
        within_budget: bool,
        approved_by: str,
        scope: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.contract_id = str(contract_id)
        self.vendor_id = str(vendor_id)
        self.line = line
        self.amount_minor = amount_minor
        self.currency = currency
        self.scope = scope
        self.paid_minor = 0
        self.due = False
        self.cancelled = False
        # the vendor's fapiao received, (number, gross) in order, and its input VAT
        self.fapiaos: list[tuple[str, int]] = []
        self.input_vat_minor = 0
        self.settled = False

    @property
    def open_minor(self) -> int:
        """What is committed and not paid yet: nothing once cancelled."""
        return 0 if self.cancelled else max(self.amount_minor - self.paid_minor, 0)

    def cancel(self, reason: str, meta: dict[str, Any]) -> None:
        if self.cancelled:
            return  # a cancellation seen twice changes nothing
        self._cancelled(
            contract_id=self.contract_id,
            vendor_id=self.vendor_id,
            line=self.line,
            released_minor=self.open_minor,
            currency=self.currency,
            reason=reason,
            meta=meta,
        )

    @event("CommitmentCancelled")
    def _cancelled(
        self,
        contract_id: str,
        vendor_id: str,
        line: str,
        released_minor: int,
        currency: str,
        reason: str,
        meta: dict[str, Any],
    ) -> None:
        self.cancelled = True

    def accept_delivery(self, meta: dict[str, Any]) -> None:
        if self.due or self.cancelled:
            return
        self._due(
            contract_id=self.contract_id,
            vendor_id=self.vendor_id,
            category=self.line,
            amount_minor=self.amount_minor,
            due_minor=self.open_minor,
            currency=self.currency,
            meta=meta,
        )

    @event("PayableDue")
    def _due(
        self,
        contract_id: str,
        vendor_id: str,
        category: str,
        amount_minor: int,
        due_minor: int,
        currency: str,
        meta: dict[str, Any],
    ) -> None:
        self.due = True

    def pay(
        self,
        amount_minor: int,
        kind: str | None,
        method: str | None,
        paid_on: str | None,
        fapiao_number: str | None,
        meta: dict[str, Any],
    ) -> None:
        if self.cancelled:
            raise ContractCancelledAlready(
                f"contract {self.contract_id} is cancelled: nothing more is paid under it"
            )
        left = self.amount_minor - self.paid_minor
        if amount_minor > left:
            raise InvalidCommand(
                f"must be at most {left}: the contract's {self.amount_minor} less "
                f"{self.paid_minor} paid",
                "amount_minor",
            )
        self._paid(
            contract_id=self.contract_id,
            vendor_id=self.vendor_id,
            category=self.line,
            amount_minor=amount_minor,
            currency=self.currency,
            kind=kind,
            method=method,
            paid_on=paid_on,
            fapiao_number=fapiao_number,
            meta=meta,
        )

    @event("VendorPaid")
    def _paid(
        self,
        contract_id: str,
        vendor_id: str,
        category: str,
        amount_minor: int,
        currency: str,
        meta: dict[str, Any],
        kind: str | None = None,
        method: str | None = None,
        paid_on: str | None = None,
        fapiao_number: str | None = None,
    ) -> None:
        self.paid_minor += amount_minor

    @property
    def invoiced_minor(self) -> int:
        return sum(gross for _, gross in self.fapiaos)

    def fapiao_for_next_payment(self) -> str | None:
        """The fapiao received that covers the next payment, if any (vendor_fapiao.py)."""
        return covering(self.fapiaos, self.paid_minor)

    def receive_fapiao(self, vendor_id: str, fapiao: dict[str, Any], meta: dict[str, Any]):
        """The vendor's fapiao (its number, gross `amount_minor`, net, tax, rate, type,
        medium, seller's tax ID) registered against this contract."""
        if str(vendor_id) != self.vendor_id:
            raise InvalidCommand(
                f"must be the contract's vendor {self.vendor_id}: the fapiao is another's",
                "vendor_id",
            )
        if any(number == fapiao["fapiao_number"] for number, _ in self.fapiaos):
            raise Conflict(f"fapiao {fapiao['fapiao_number']} is received already", "fapiao_number")
        # a cancelled contract is invoiced for what was paid under it, no more
        owed, what = (self.paid_minor, "paid") if self.cancelled else (self.amount_minor, "amount")
        left = owed - self.invoiced_minor
        if fapiao["amount_minor"] > left:
            raise InvalidCommand(
                f"must be at most {left}: the contract's {owed} {what} less "
                f"{self.invoiced_minor} invoiced",
                "amount_minor",
            )
        self._fapiao_received(
            category=self.line,
            vendor_id=self.vendor_id,
            contract_id=self.contract_id,
            currency=self.currency,
            meta=meta,
            **fapiao,
        )

    @event("VendorInvoiceReceived")
    def _fapiao_received(
        self,
        category: str,
        vendor_id: str,
        amount_minor: int,
        currency: str,
        contract_id: str,
        fapiao_number: str,
        meta: dict[str, Any],
        fapiao_type: str | None = None,
        medium: str | None = None,
        seller_tax_id: str | None = None,
        net_minor: int | None = None,
        tax_rate_bp: int | None = None,
        tax_minor: int | None = None,
        verified: bool | None = None,
    ) -> None:
        self.fapiaos.append((fapiao_number, amount_minor))
        if fapiao_type == "vat_special":  # only a 专票's VAT is deducted as input VAT
            self.input_vat_minor += tax_minor or 0

    def settle_when_done(self, meta: dict[str, Any]) -> None:
        """Settled once all the contract's amount is paid and invoiced."""
        done = self.paid_minor == self.amount_minor == self.invoiced_minor
        if done and not (self.settled or self.cancelled):
            self._settled(
                contract_id=self.contract_id,
                vendor_id=self.vendor_id,
                paid_total_minor=self.paid_minor,
                currency=self.currency,
                fapiao_complete=True,
                meta=meta,
            )

    @event("VendorSettled")
    def _settled(
        self,
        contract_id: str,
        vendor_id: str,
        paid_total_minor: int,
        currency: str,
        fapiao_complete: bool,
        meta: dict[str, Any],
    ) -> None:
        self.settled = True


class Settlement(BudgetAggregate):
    """The conference's accounts settled (2.5.4, 24.1.1): once."""

    @staticmethod
    def create_id(meta: dict[str, Any]) -> UUID:
        return settlement_id(meta["conference_id"])

    @event("SettlementCompleted")
    def __init__(
        self,
        amount_minor: int,
        currency: str,
        income_minor: int,
        expense_minor: int,
        result: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.income_minor = income_minor
        self.expense_minor = expense_minor
        self.result = result
