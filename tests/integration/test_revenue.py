"""Revenue behind target against real processes, on both stores: a target set over HTTP
warns once when the income is behind on its day, income recorded brings it back, the
check of a later day changes nothing, the timer checks a target no command did, and the
events are on budget's log."""

from __future__ import annotations

from collections import Counter

from tests.integration.test_budget import huiwu
from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until

BUDGET = {
    "currency": "CNY",
    "lines": [
        {"line": "venue", "behaviour": "fixed", "planned_minor": 3_000_000, "income": False},
        {"line": "sponsorship", "behaviour": "fixed", "planned_minor": 1_000_000,
         "income": True},
    ],
    "actor": "zhao.min",
}  # fmt: skip
TARGET = {"line": "sponsorship", "due_on": "2027-04-01", "percent": 50, "actor": "zhao.min"}
INCOME = {"category": "sponsorship", "amount_minor": 500_000, "currency": "CNY",
          "source": "sponsorship", "actor": "qian.li"}  # fmt: skip


def test_revenue_behind_its_target_warns_once_per_crossing(system):
    system.start("checklist", "budget", extra_env={"HUIWU_REVENUE_CHECK_INTERVAL": "0.5"})
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTION_ONE)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)
    # set while no budget is approved: nothing to be behind, until the timer looks again
    total = {**TARGET, "line": "total", "due_on": "2000-01-01", "percent": 100}
    ok(budget.post(f"{at}/revenue/targets", total), 201)
    ok(budget.post(f"{at}/budget", BUDGET))
    ok(budget.post(f"{at}/budget/approve", {"approvers": ["Chen Jing"], "actor": "chen.jing"}))

    bad = budget.post(f"{at}/revenue/targets", {**TARGET, "percent": 101})
    assert bad.status == 400 and "percent" in bad.json["errors"], bad
    ok(budget.post(f"{at}/revenue/targets", TARGET), 201)
    for day in ("2027-03-31", "2027-04-01", "2027-04-02"):
        checked = ok(budget.post(f"{at}/revenue/check", {"as_of": day, "actor": "li"}))
    target = next(t for t in checked["targets"] if t["line"] == "sponsorship")
    assert (target["behind"], target["expected_minor"], target["income_minor"]) == (
        True,
        500_000,
        0,
    )
    ok(budget.post(f"{at}/ledger/income", INCOME), 201)  # 5 000.00: half the plan, on target
    shown = ok(budget.get(f"{at}/revenue?as_of=2027-04-02&actor=li"))
    behind = {t["line"]: t["behind"] for t in shown["targets"]}
    assert behind == {"sponsorship": False, "total": True}

    def revenue_events():
        log = read_log(system.amqp_uri, "budget")
        return Counter(
            (e["event_type"], e["payload"]["line"])
            for e in log
            if e["event_type"].startswith("Revenue")
        )

    expected = Counter(
        {
            ("RevenueTargetSet", "total"): 1,
            ("RevenueBehindTarget", "total"): 1,  # the timer's: nothing in, 10 000.00 planned
            ("RevenueTargetSet", "sponsorship"): 1,
            ("RevenueBehindTarget", "sponsorship"): 1,
            ("RevenueBackOnTarget", "sponsorship"): 1,
        }
    )
    wait_until(lambda: revenue_events() == expected)
    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        listed = huiwu(system, "revenue", "show", conference_id, "--as-of", "2027-04-02")
        [row] = [x for x in listed.splitlines() if x.startswith("sponsorship")]
        assert "BEHIND" not in row and "5,000.00 CNY" in row
