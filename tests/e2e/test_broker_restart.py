"""A broker restart delays events but loses none, and the services reconnect by themselves."""

import shutil
import subprocess

from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    ok,
    open_conference,
    sign,
    wait_for_status,
)
from tests.support.system import wait_until


def rabbitmqctl(*args):
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=120)


def test_command_during_broker_outage_is_published_once_the_broker_is_back(sqlite_system):
    system = sqlite_system
    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))

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
