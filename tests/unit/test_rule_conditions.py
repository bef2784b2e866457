"""Rule conditions beyond equality: `in`, `!=`, `>=`, `<=` in `where`, and a for-all
rule's `require_where`; how a template states them, and what it refuses (pure)."""

from __future__ import annotations

import pytest

from services.checklist.exchange import verification_text
from services.checklist.rules import DONE, Compare, ForAllRule, RuleIndex, rule_from_dict
from services.checklist.template import TemplateError
from tests.unit.checklist_plans import one_rule_template

SIGNED = "vendors.ContractSigned"


def index(**rules):
    return RuleIndex((code, rule_from_dict(rule)) for code, rule in rules.items())


def test_in_holds_for_any_of_its_values_and_for_a_list_field_sharing_one():
    rules = index(hotel={"event": SIGNED, "where": {"category": {"in": ["hotel", "venue"]}}})
    assert rules.verified_by(SIGNED, {"category": "venue"}) == ["hotel"]
    assert rules.verified_by(SIGNED, {"category": "hotel"}) == ["hotel"]
    assert rules.verified_by(SIGNED, {"category": "catering"}) == []
    assert rules.verified_by(SIGNED, {"categories": ["x"], "category": None}) == []
    listed = index(v={"event": "vendors.VendorAdded", "where": {"categories": {"in": ["av"]}}})
    assert listed.verified_by("vendors.VendorAdded", {"categories": ["venue", "av"]}) == ["v"]
    assert listed.verified_by("vendors.VendorAdded", {"categories": ["venue"]}) == []


def test_all_holds_of_a_list_field_holding_every_value():
    briefed = "speakers.SpeakerBriefed"
    rules = index(
        dress={"event": briefed, "where": {"topics": {"all": ["dress_code", "language"]}}}
    )
    assert rules.verified_by(briefed, {"topics": ["language", "dress_code", "safety"]}) == ["dress"]
    assert rules.verified_by(briefed, {"topics": ["dress_code"]}) == []  # one of two: near miss
    assert rules.verified_by(briefed, {"topics": "dress_code"}) == []  # not a list
    assert rules.verified_by(briefed, {}) == []


def test_not_equal_needs_the_field_and_a_different_value():
    rules = index(cash={"event": "budget.SponsorSigned", "where": {"kind": {"!=": "in_kind"}}})
    assert rules.verified_by("budget.SponsorSigned", {"kind": "cash"}) == ["cash"]
    assert rules.verified_by("budget.SponsorSigned", {"kind": "in_kind"}) == []  # near miss
    assert rules.verified_by("budget.SponsorSigned", {}) == []  # absent: no proof


@pytest.mark.parametrize(
    ("amount", "big", "small"),
    [(100_000, True, True), (100_001, True, False), (99_999, False, True), ("100001", False, False),
     (True, False, False), (None, False, False)],
)  # fmt: skip
def test_orders_hold_between_numbers_only(amount, big, small):
    rules = index(
        big={"event": SIGNED, "where": {"amount_minor": {">=": 100_000}}},
        small={"event": SIGNED, "where": {"amount_minor": {"<=": 100_000}}},
    )
    found = set(rules.verified_by(SIGNED, {"amount_minor": amount}))
    assert found == {name for name, holds in (("big", big), ("small", small)) if holds}


def test_conditions_combine_with_equality_and_survive_a_round_trip():
    data = {
        "event": SIGNED,
        "where": {"category": "venue", "amount_minor": {">=": 5}, "currency": {"in": ["CNY"]}},
        "compensated_by": [],
    }
    rule = rule_from_dict(data)
    assert rule.to_dict() == data
    assert dict(rule.where)["amount_minor"] == Compare(">=", 5)
    hash(rule)  # rules stay values
    assert rule.matches({"category": "venue", "amount_minor": 5, "currency": "CNY"})
    assert not rule.matches({"category": "venue", "amount_minor": 4, "currency": "CNY"})


def test_a_for_all_rule_counts_only_the_required_events_that_match_require_where():
    data = {
        "for_all": "speakers.SpeakerConfirmed",
        "where": {"role": "keynote"},
        "removed_by": ["speakers.SpeakerWithdrawn"],
        "require": "speakers.TravelBooked",
        "require_where": {"direction": "arrival"},
    }
    rule = rule_from_dict(data)
    assert isinstance(rule, ForAllRule) and rule.to_dict() == data
    rules = RuleIndex([("13.2.1", rule)])
    arrival = rules.concerned("speakers.TravelBooked", {"direction": "arrival"})
    assert arrival == [("13.2.1", DONE)]
    assert rules.concerned("speakers.TravelBooked", {"direction": "departure"}) == []  # near miss
    assert rules.concerned("speakers.SpeakerWithdrawn", {}) == [("13.2.1", "remove")]


def test_a_template_states_comparisons_and_require_where():
    rule = {"event": SIGNED, "where": {"amount_minor": {">=": 1}, "category": {"in": ["venue"]}}}
    template = one_rule_template(rule)
    (loaded,) = template.entries
    assert loaded.rule.matches({"amount_minor": 3, "category": "venue"})


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"event": SIGNED, "where": {"amount_minor": {">": 1}}}, "a comparison is one of"),
        ({"event": SIGNED, "where": {"amount_minor": {">=": "1"}}}, "compares numbers"),
        ({"event": SIGNED, "where": {"category": {"in": []}}}, "`in` takes a list"),
        ({"event": SIGNED, "where": {"category": {"in": "venue"}}}, "`in` takes a list"),
        ({"event": SIGNED, "where": {"category": ["venue"]}}, "use {in: [...]}"),
        ({"event": SIGNED, "where": {"x": {"in": [1], "!=": 2}}}, "a comparison is one of"),
        ({"event": SIGNED, "require_where": {"x": 1}}, "only a for_all rule"),
    ],
)
def test_a_template_with_a_malformed_condition_is_refused_saying_which_and_why(rule, says):
    with pytest.raises(TemplateError) as refused:
        one_rule_template(rule)
    assert says in str(refused.value)


def test_the_plan_export_spells_the_conditions_out():
    rule = {
        "for_all": "speakers.SpeakerConfirmed",
        "where": {"role": {"in": ["keynote", "invited"]}},
        "require": "speakers.TravelBooked",
        "require_where": {"direction": "arrival", "nights": {">=": 1}},
    }
    text = verification_text({"rule": rule}, None)
    assert text == (
        "rule: speakers.SpeakerConfirmed (role in keynote|invited) → speakers.TravelBooked "
        "(direction=arrival, nights >= 1)"
    )
    paired = {"for_all": SIGNED, "require": "vendors.DeliveryAccepted", "pair_by": "contract_id"}
    assert verification_text({"rule": paired}, None) == (
        "rule: vendors.ContractSigned → vendors.DeliveryAccepted by contract_id"
    )


PAID = {
    "for_all": "vendors.ContractSigned",
    "where": {"category": "venue"},
    "removed_by": ["vendors.ContractCancelled"],
    "require": "budget.PaymentRecorded",
    "pair_by": "contract_id",
}


def test_pair_by_completes_the_member_the_required_event_names():
    rules = index(venue_paid=PAID)
    assert rule_from_dict(PAID).to_dict() == PAID
    signed = rules.touched("vendors.ContractSigned", "contract-a", {"category": "venue"})
    assert signed == [("venue_paid", "add", "contract-a")]
    paid = rules.touched("budget.PaymentRecorded", "payment-1", {"contract_id": "contract-a"})
    assert paid == [("venue_paid", DONE, "contract-a")]  # the contract, not the payment
    assert rules.touched("budget.PaymentRecorded", "payment-2", {"amount_minor": 5}) == []


def test_only_a_for_all_rule_pairs():
    rule = {"event": SIGNED, "pair_by": "contract_id"}
    with pytest.raises(TemplateError) as refused:
        one_rule_template(rule)
    assert "only a for_all rule has pair_by" in str(refused.value)
