"""Every rule of the plan is proved by cases: events after which its entry is verified, and
near misses after which it is not (tests/unit/rule_cases/*.yaml)."""

import pytest

from services.checklist.rules_doc import README, render, spliced
from services.checklist.template import load
from tests.support.rule_cases import load_cases, run_entry

TEMPLATE = load("conference")
RULED = [e.code for e in TEMPLATE.entries if e.rule]
CASES = load_cases()


def test_every_rule_has_cases_and_every_case_a_rule():
    assert sorted(set(RULED) - set(CASES), key=_order) == []
    assert sorted(set(CASES) - set(RULED), key=_order) == []


@pytest.mark.parametrize("code", RULED)
def test_the_rule_verifies_its_entry_and_no_near_miss_does(code):
    spec = CASES[code]
    assert spec.get("verifies"), f"{code}: no events that verify it"
    assert spec.get("misses"), f"{code}: no near miss"
    failed = [str(o) for o in run_entry(code, spec) if not o.ok]
    assert failed == []


def test_every_rule_says_why_its_event_proves_the_entry():
    assert [e.code for e in TEMPLATE.entries if e.rule and not e.because] == []


def test_the_readme_table_of_rules_is_the_template_s():
    readme = README.read_text(encoding="utf-8")
    assert readme == spliced(readme, render()), (
        "the rules table is stale: run `python -m services.checklist.rules_doc --write`"
    )


def _order(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def test_an_event_from_before_a_field_existed_reads_as_its_default():
    """A contract signed before contracts had a scope is the conference's."""
    spec = {
        "rule": {
            "event": "vendors.ContractSigned",
            "where": {"category": "venue", "scope": "conference"},
        },
        "verifies": [["vendors.ContractSigned", "hall", {"category": "venue"}]],
        "misses": {
            "the themed evening's venue": [
                ["vendors.ContractSigned", "gala", {"category": "venue", "scope": "themed_event"}]
            ]
        },
    }
    assert [str(o) for o in run_entry("1.3.5", spec) if not o.ok] == []
