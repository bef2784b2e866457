"""Registration's warnings against the real broker, on both stores: a quota crossing its
share says QuotaNearlyReached once; a target whose day has come warns once when too few
registrations are paid for (RegistrationBelowTarget), and neither another check nor a
restart of the service warns again; the timer warns of a changed target on its own. The
command line checks the target too."""

from __future__ import annotations

from collections import Counter

from tests.integration.test_registration import attendee, fee, huiwu, order
from tests.support import amqp
from tests.support.slice import SECTION_ONE, ok, open_conference
from tests.support.system import wait_until

PAY = {"method": "bank_transfer", "currency": "CNY", "received_on": "2026-11-02", "actor": "li"}
SETTINGS = {"HUIWU_QUOTA_NEARLY_PERCENT": "60"}


def test_nearly_sold_out_and_below_target_warn_once_each(system):
    system.start("checklist", "registration", extra_env=SETTINGS)
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "registration-warning-events")
    conference_id = open_conference(system, **SECTION_ONE)
    workshop = {"category": "delegate", "ticket_type": "workshop", "label": "工作坊"}
    fees = {"categories": [fee(workshop, price_minor=50_000, quota=5)], "actor": "li"}
    ok(registration.post(f"/conferences/{conference_id}/fees", fees))
    # a stage whose day has passed: 4 paid for by then, warning under half of it
    targets = {"targets": [{"by": "2026-12-01", "registered": 4}], "warn_below_percent": 50}
    path = f"/conferences/{conference_id}/registration/targets"
    ok(registration.post(path, {**targets, "actor": "li"}))

    orders = [
        ok(
            registration.post(
                "/orders", order(conference_id, attendee(f"w{n}@example.cn", "workshop"))
            ),
            201,
        )
        for n in range(3)
    ]  # 3 of 5: 60%, nearly sold out
    for placed in orders[:2]:
        ok(
            registration.post(
                f"/orders/{placed['order_id']}/payments", {**PAY, "amount_minor": 50_000}
            )
        )
    # two paid for of four: not under half, no warning
    assert ok(registration.post(f"{path}/check", {"actor": "li"})) == {"warning": None}

    ok(
        registration.post(
            f"/orders/{orders[0]['order_id']}/cancel", {"reason": "ill", "actor": "li"}
        )
    )
    warned = ok(registration.post(f"{path}/check", {"actor": "li"}))["warning"]
    assert warned == {
        "target_by": "2026-12-01",
        "target": 4,
        "registered": 1,
        "warn_below_percent": 50,
    }
    assert ok(registration.post(f"{path}/check", {"actor": "li"})) == {"warning": None}

    # a restart, with the timer ticking: the set-up remembers the warning, the command
    # line finds none to give
    registration.stop()
    system.start("registration", extra_env={**SETTINGS, "HUIWU_TARGET_CHECK_INTERVAL": "0.2"})
    assert "no warning" in huiwu(system, "registration", "check-target", conference_id)
    # a target changed is a new one: the timer warns of it once, on its own
    raised = {**targets, "targets": [{"by": "2026-12-01", "registered": 6}]}
    ok(registration.post(path, {**raised, "actor": "li"}))

    seen: list[dict] = []

    def published(event_type: str) -> list[dict]:
        seen.extend(body for body, _ in amqp.drain(system.amqp_uri, events.name))
        return [e["payload"] for e in seen if e["event_type"] == event_type]

    wait_until(lambda: len(published("RegistrationBelowTarget")) == 2)
    assert ok(registration.post(f"{path}/check", {"actor": "li"})) == {"warning": None}
    assert published("RegistrationBelowTarget")[1] == {**warned, "target": 6}
    wait_until(lambda: published("QuotaNearlyReached"))
    counted = Counter(e["event_type"] for e in seen)
    assert (counted["QuotaNearlyReached"], counted["RegistrationBelowTarget"]) == (1, 2)
    (nearly,) = [e["payload"] for e in seen if e["event_type"] == "QuotaNearlyReached"]
    assert nearly == {
        "quota": "workshop",
        "ticket_type": "workshop",
        "size": 5,
        "reserved": 3,
        "percent": 60,
    }
    assert ok(system["checklist"].get("/dead-letters"))["messages"] == 0
