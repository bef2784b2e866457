"""The ledger's figures, read from budget's own event store: what each conference has
received, given back, spent and committed, per budget line, and every entry.

`Books` catches up from the store's notification log before each use, in the process
that asks: what a policy decides from the figures depends only on what the store holds
(invariant 6), never on a read model that may lag. The figures are exact integers in the
ledger's book currency; an amount in another currency is listed but not added up.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from services.common.envelope import event_id_for, to_json_value

PAGE = 500
ENTRIES = {"IncomeRecorded": "income", "ExpenseRecorded": "expense", "IncomeReversed": "reversal"}
# what is received in kind, at its agreed value, and the budget line it is revenue of:
# not ledger income (no cash came in), shown apart in the settlement statement
IN_KIND = {"InKindReceived": "sponsorship", "PartnerContributionInKindReceived": "contributions"}


@dataclass
class Figures:
    """One conference's sums per line, and its accounts with vendors (one per contract)."""

    currency: str | None = None
    income: Counter = field(default_factory=Counter)
    reversed: Counter = field(default_factory=Counter)
    actual: Counter = field(default_factory=Counter)
    in_kind: Counter = field(default_factory=Counter)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def committed(self) -> Counter:
        """What is committed under signed contracts and not paid yet, per line."""
        committed: Counter = Counter()
        for account in self.accounts.values():
            if self.counts(account["currency"]) and not account["cancelled"]:
                committed[account["line"]] += max(account["amount"] - account["paid"], 0)
        return committed

    def counts(self, currency: str) -> bool:
        return self.currency is None or currency == self.currency

    def apply(self, name: str, state: dict[str, Any]) -> None:
        """One of budget's events (its type name and attributes)."""
        if name == "LedgerOpened":
            self.currency = state["currency"]
        elif name in ENTRIES and not self.counts(state["currency"]):
            return  # listed among the entries, not added to the book's sums
        elif name == "IncomeRecorded":
            if state.get("originator_version", 1) == 1:  # a later one adds its fapiao only
                self.income[state["category"]] += state["amount_minor"]
        elif name == "IncomeReversed":
            self.reversed[state["category"]] += state["amount_minor"]
        elif name == "ExpenseRecorded":
            if state.get("originator_version", 1) == 1:  # a later one adds its fapiao only
                self.actual[state["category"]] += state["amount_minor"]
        elif name in IN_KIND:
            if self.counts(state["currency"]):
                self.in_kind[IN_KIND[name]] += state["value_minor"]
        elif name == "CommitmentApproved":
            self.accounts[str(state["contract_id"])] = {
                "line": state["line"],
                "amount": state["amount_minor"],
                "currency": state["currency"],
                "paid": 0,
                "cancelled": False,
            }
        elif name == "CommitmentCancelled":
            self.accounts[str(state["contract_id"])]["cancelled"] = True
        elif name == "VendorPaid":
            self.accounts[str(state["contract_id"])]["paid"] += state["amount_minor"]

    def with_events(self, events: list[Any]) -> Figures:
        """These figures after events not stored yet (those a command is about to save)."""
        after = copy.deepcopy(self)
        for event in events:
            after.apply(type(event).__name__, vars(event))
        return after

    def lines(self) -> dict[str, dict[str, int]]:
        committed = self.committed()
        names = sorted(set(self.income) | set(self.reversed) | set(self.actual) | set(committed))
        return {
            line: {
                "income_minor": self.income[line] - self.reversed[line],
                "committed_minor": committed[line],
                "actual_minor": self.actual[line],
            }
            for line in names
        }


class Books:
    """Every conference's figures and entries, kept up with budget's store."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.position = 0
        self.figures: dict[str, Figures] = {}
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.vendor_fapiaos: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def catch_up(self) -> None:
        with self.lock:
            while True:
                page = self.app.select_notifications(self.position + 1, PAGE)
                for notification in page:
                    self._apply(self.app.to_domain_event(notification))
                    self.position = notification.id
                if len(page) < PAGE:
                    return

    def of(self, conference_id: str) -> Figures:
        self.catch_up()
        return self.figures.get(conference_id) or Figures()

    def entries_of(self, conference_id: str) -> list[dict[str, Any]]:
        self.catch_up()
        return list(self.entries.get(conference_id, ()))

    def vendor_fapiao_numbers(self, conference_id: str) -> set[str]:
        """The numbers of the vendors' fapiao received for the conference's contracts."""
        self.catch_up()
        return set(self.vendor_fapiaos.get(conference_id, ()))

    def _apply(self, event: Any) -> None:
        conference_id = (getattr(event, "meta", None) or {}).get("conference_id")
        if conference_id is None:
            return
        name = type(event).__name__
        state = vars(event)
        self.figures.setdefault(conference_id, Figures()).apply(name, state)
        if name == "VendorInvoiceReceived":
            self.vendor_fapiaos.setdefault(conference_id, set()).add(state["fapiao_number"])
        if name in ENTRIES and event.originator_version > 1:
            self._add_fapiao(conference_id, str(event.originator_id), state["fapiao_number"])
        elif name in ENTRIES:
            self.entries.setdefault(conference_id, []).append(entry_row(name, event))

    def _add_fapiao(self, conference_id: str, entry_id: str, number: str) -> None:
        """An entry recorded again with its fapiao (invoicing.py): the same row, now with it."""
        for row in self.entries.get(conference_id, ()):
            if row["entry_id"] == entry_id:
                row.update(fapiao_number=number, fapiao="received")


def entry_row(name: str, event: Any) -> dict[str, Any]:
    """One entry of the ledger as it is shown and exported: what, how much, against which
    line, its fapiao, and who or what caused it."""
    meta = event.meta or {}
    state = vars(event)
    return {
        "entry_id": str(event.originator_id),
        "recorded_at": to_json_value(event.timestamp),
        "kind": ENTRIES[name],
        "category": state["category"],
        "amount_minor": state["amount_minor"],
        "currency": state["currency"],
        "source": state.get("source"),
        "source_ref": state.get("source_ref"),
        "contract_id": _text(state.get("contract_id")),
        "vendor_id": _text(state.get("vendor_id")),
        "fapiao_number": state.get("fapiao_number"),
        "fapiao": "received" if state.get("fapiao_number") else "missing",
        "event_id": event_id_for(event.originator_id, event.originator_version),
        "caused_by": meta.get("causation_id"),
        "actor": meta.get("actor"),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
