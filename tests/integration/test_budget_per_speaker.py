"""Cost lines per speaker against real processes, on both stores: a variable cost sheet
posted over HTTP prices lines at `per_speaker_minor` times the `speaker_count` it carries,
its answer and its published event (read back over RPC) show them; an amount that is not
that product is refused naming the line's field with nothing stored; a budget's lines
priced per speaker are shown with it."""

from __future__ import annotations

from tests.integration.test_budget import APPROVAL, huiwu
from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until

SHEET = {
    "behaviour": "variable",
    "currency": "CNY",
    "headcount": 500,
    "speaker_count": 40,
    "lines": [
        {"line": "catering", "amount_minor": 20_000_000, "per_head_minor": 40_000},
        {"line": "speakers", "amount_minor": 4_000_000, "per_speaker_minor": 100_000},
    ],
    "actor": "zhao.min",
}
BUDGET = {
    "currency": "CNY",
    "lines": [
        {"line": "venue", "behaviour": "fixed", "planned_minor": 30_000_000, "income": False},
        {"line": "speakers", "behaviour": "variable", "planned_minor": 4_000_000,
         "income": False, "unit_minor": 100_000, "quantity": 40, "per": "speaker"},
    ],
    "actor": "zhao.min",
}  # fmt: skip


def test_a_sheet_and_a_budget_price_lines_per_speaker(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTION_ONE)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    before = budget.metric("huiwu_events_stored", service="budget")
    wrong = {**SHEET, "lines": [{**SHEET["lines"][1], "amount_minor": 4_000_001}]}
    refused = budget.post(f"{at}/costs", wrong)
    assert refused.status == 400, refused
    said = refused.json["errors"]["lines"]["0"]["amount_minor"]
    assert said == ["must be per_speaker_minor times speaker_count = 4000000"]
    uncounted = {k: v for k, v in SHEET.items() if k != "speaker_count"}
    refused = budget.post(f"{at}/costs", uncounted)
    assert refused.status == 400 and "speaker_count" in refused.json["errors"], refused
    assert budget.metric("huiwu_events_stored", service="budget") == before

    sheet = ok(budget.post(f"{at}/costs", SHEET), 201)
    assert (sheet["speaker_count"], sheet["total_minor"]) == (40, 24_000_000)
    assert sheet["lines"][1] == SHEET["lines"][1]
    [published] = [
        e["payload"]
        for e in read_log(system.amqp_uri, "budget")
        if e["event_type"] == "CostsEstimated"
    ]
    assert published["speaker_count"] == 40
    assert published["lines"][1]["per_speaker_minor"] == 100_000

    ok(budget.post(f"{at}/budget", BUDGET))
    ok(budget.post(f"{at}/budget/approve", APPROVAL))
    shown = ok(budget.get(f"{at}/budget"))
    assert [(x["line"], x["unit_minor"], x["planned_quantity"]) for x in shown["per_speaker"]] == [
        ("speakers", 100_000, 40)
    ]

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        text = huiwu(system, "budget", "show", conference_id)
        assert "per speaker:" in text and "1,000.00" in text
