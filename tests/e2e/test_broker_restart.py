"""A broker restart delays events but loses none, and the services reconnect by themselves."""

import shutil
import subprocess

from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    entry,
    ok,
    open_conference,
    sign,
    wait_for_status,
)
from tests.support.system import consumers, wait_until

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}  # no periodic catch-up: delivery must work again


def rabbitmqctl(*args):
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=120)


def test_command_during_broker_outage_is_published_once_the_broker_is_back(system):
    # What the outage makes the services say: connections lost and re-established.
    system.expect_errors("Connection to broker lost", "broker at ", "catch-up")
    system.start("checklist", "vendors", extra_env=QUIET)
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)

    rabbitmqctl("stop_app")
    try:
        signed = sign(system, contract_id)  # the store accepts it; publishing must wait
        assert signed.status == 200, signed
        assert system["vendors"].metric("huiwu_relay_lag", service="vendors") == 1
        assert system["vendors"].get("/health").json["checks"]["broker"]["ok"] is False
    finally:
        rabbitmqctl("start_app")

    verified = wait_for_status(system, conference_id, "1.3.5", "verified", timeout=90)
    assert len(verified["proofs"]) == 1
    wait_until(lambda: system["vendors"].metric("huiwu_relay_lag", service="vendors") == 0)
    assert ok(system["vendors"].get(f"/contracts/{contract_id}"))["status"] == "signed"
    # The consumer reconnected by itself: its queue has it again, and a new event arrives
    # by delivery (the periodic catch-up is off).
    wait_until(lambda: consumers(system.amqp_uri, "checklist.vendors-events") == 1, timeout=60)
    checklist = system["checklist"]
    caught_up = checklist.metric(
        "huiwu_consumer_messages_total", upstream="vendors", outcome="caught_up"
    )
    ok(sign(system, draft_contract(system, conference_id, vendor_id)))  # a second venue
    wait_until(lambda: len(entry(system, conference_id, "1.3.5")["proofs"]) == 2, timeout=60)
    assert (
        checklist.metric("huiwu_consumer_messages_total", upstream="vendors", outcome="caught_up")
        == caught_up
    )
