"""A for-all rule's `undone_by`: an event of a member that takes its completion back,
until the member has the required event again (23.1.3: a refund asked on a reconciled
order); how a template states it, what it refuses, and what an entry does with it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.checklist.events import CATALOG
from services.checklist.exchange import verification_text
from services.checklist.rules import DONE, UNDONE, RuleIndex, rule_from_dict
from services.checklist.template import TemplateError
from tests.support.rule_cases import run_entry
from tests.unit.checklist_plans import one_rule_template

RECONCILED = {
    "for_all": "registration.OrderPlaced",
    "where": {},
    "removed_by": ["registration.OrderExpired"],
    "require": "registration.OrderReconciled",
    "require_where": {"outstanding_minor": {"<=": 0}},
    "undone_by": ["registration.RefundRequested"],
}
PLACED = {
    "channel": "online",
    "buyer_kind": "individual",
    "positions": [
        {"attendee_id": "@ann", "category": "delegate", "ticket_type": "full", "price_minor": 100}
    ],
    "total_minor": 100,
    "currency": "CNY",
    "requires_approval": False,
}
SETTLED = {
    "due_minor": 100,
    "paid_minor": 100,
    "refunded_minor": 0,
    "outstanding_minor": 0,
    "currency": "CNY",
}
REFUND = {"amount_minor": 10, "currency": "CNY", "partial": True, "reason": "other"}
OWED = {**SETTLED, "refunded_minor": 0, "due_minor": 90, "outstanding_minor": 10}
SETTLED_AGAIN = {**SETTLED, "due_minor": 90, "refunded_minor": 10}


def test_an_undoing_event_takes_its_own_aggregates_completion_back():
    rule = rule_from_dict(RECONCILED)
    assert rule.to_dict() == RECONCILED
    index = RuleIndex([("23.1.3", rule)])
    assert index.touched("registration.OrderReconciled", "order-a", SETTLED) == [
        ("23.1.3", DONE, "order-a")
    ]
    # whatever its payload: a refund asked is money owed again
    assert index.touched("registration.RefundRequested", "order-a", {}) == [
        ("23.1.3", UNDONE, "order-a")
    ]
    assert index.reopened_by("registration.RefundRequested") == ["23.1.3"]
    assert "registration.RefundRequested" in index.event_keys


def test_a_template_states_it_on_a_for_all_rule_only():
    (loaded,) = one_rule_template(RECONCILED).entries
    assert loaded.rule.undone_by == ("registration.RefundRequested",)
    undone = {
        "event": "registration.OrderReconciled",
        "undone_by": ["registration.RefundRequested"],
    }
    with pytest.raises(TemplateError) as refused:
        one_rule_template(undone)
    assert "only a for_all rule has undone_by" in str(refused.value)


def test_the_plan_export_says_what_undoes_a_member():
    assert verification_text({"rule": RECONCILED}, None) == (
        "rule: registration.OrderPlaced → registration.OrderReconciled "
        "(outstanding_minor <= 0) (undone by registration.RefundRequested)"
    )


def test_the_progress_event_of_an_undoing_role_fits_checklists_contract():
    payload = {"role": "undone", "aggregate_id": "order-a", "proof": {}}
    CATALOG.validate_outgoing("RuleProgressed", payload)  # raises if it does not fit
    with pytest.raises(ValidationError):
        CATALOG.validate_outgoing("RuleProgressed", {**payload, "role": "redone"})


def test_an_entry_reopens_on_the_undoing_event_and_closes_when_completed_again():
    cases = {
        "rule": RECONCILED,
        "verifies": [
            ["registration.OrderPlaced", "order_a", PLACED],
            ["registration.OrderReconciled", "order_a", SETTLED],
            ["registration.RefundRequested", "order_a", REFUND],
            ["registration.OrderReconciled", "order_a", SETTLED_AGAIN],
        ],
        "misses": {
            "a refund asked after the reconciliation": [
                ["registration.OrderPlaced", "order_a", PLACED],
                ["registration.OrderReconciled", "order_a", SETTLED],
                ["registration.RefundRequested", "order_a", REFUND],
            ],
            "reconciled again with the refund still owed": [
                ["registration.OrderPlaced", "order_a", PLACED],
                ["registration.OrderReconciled", "order_a", SETTLED],
                ["registration.RefundRequested", "order_a", REFUND],
                ["registration.OrderReconciled", "order_a", OWED],
            ],
        },
    }
    assert [str(o) for o in run_entry("23.1.3", cases) if not o.ok] == []


def test_a_refund_before_the_reconciliation_undoes_nothing():
    cases = {
        "rule": RECONCILED,
        "verifies": [
            ["registration.OrderPlaced", "order_a", PLACED],
            ["registration.RefundRequested", "order_a", REFUND],
            ["registration.OrderReconciled", "order_a", SETTLED_AGAIN],
        ],
        "misses": {"not reconciled": [["registration.OrderPlaced", "order_a", PLACED]]},
    }
    assert [str(o) for o in run_entry("23.1.3", cases) if not o.ok] == []
