"""A package's last slot against real processes, on both stores: two sponsors signing
for it at the same instant over HTTP, one signs and the other is refused (409, package),
and the package shows one slot signed, none left."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.integration.test_sponsorship import GOLD
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until

SECTIONS = {"exclude": [str(n) for n in range(2, 25) if n != 7]}
SIGNING = {"package": "Gold", "signed_on": "2027-02-01", "actor": "li"}


def test_two_sponsors_signing_for_the_last_slot_at_once_one_gets_it(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)
    ok(budget.post(f"{at}/sponsorship/packages", {**GOLD, "slots": 1}), 201)
    steps = []
    for sponsor in ("Acme 医药", "Beta 器械"):
        sid = ok(budget.post(f"{at}/sponsors", {"sponsor": sponsor, "actor": "li"}), 201)[
            "sponsorship_id"
        ]
        step = f"/sponsorships/{sid}"
        ok(budget.post(f"{step}/advance", {"to": "contacted", "channel": "email", "actor": "li"}))
        ok(budget.post(f"{step}/advance", {"to": "negotiating", "actor": "li"}))
        steps.append(step)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda step: budget.post(f"{step}/sign", SIGNING), steps))

    assert sorted(a.status for a in answers) == [200, 409], answers
    (refused,) = [a for a in answers if a.status == 409]
    assert "package" in refused.json["errors"] or "package" in refused.json["message"], refused
    [gold] = ok(budget.get(f"{at}/sponsorship/packages"))["packages"]
    assert (gold["signed"], gold["left"]) == (1, 0)
