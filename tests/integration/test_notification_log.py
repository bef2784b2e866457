"""Any program can read a service's notification log over RPC, from position 1, paged."""

import json
import subprocess
import sys

from tests.support.slice import signed_venue_contract
from tests.support.system import ROOT


def read_log(system, service, page_size):
    code = (
        "import json, sys; from examples.read_log import read_log; "
        f"print(json.dumps(list(read_log(sys.argv[1], {service!r}, {page_size}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, system.amqp_uri],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_log_is_served_in_pages_from_the_start_with_full_envelopes(system):
    system.start("checklist", "vendors")
    conference_id, contract_id = signed_venue_contract(system)

    log = read_log(system, "vendors", page_size=2)

    assert [e["notification_id"] for e in log] == [1, 2, 3]
    assert [e["event_type"] for e in log] == ["VendorAdded", "ContractDrafted", "ContractSigned"]
    assert {e["conference_id"] for e in log} == {conference_id}
    assert log[2]["aggregate_id"] == contract_id
    checklist_log = read_log(system, "checklist", page_size=100)
    assert checklist_log[0]["event_type"] == "ConferenceOpened"
    assert [e["notification_id"] for e in checklist_log] == list(range(1, len(checklist_log) + 1))
