"""Any program can read a service's notification log over RPC, from position 1, paged."""

from tests.support.rpc import read_log
from tests.support.slice import signed_venue_contract


def test_the_log_is_served_in_pages_from_the_start_with_full_envelopes(system):
    system.start("checklist", "vendors")
    conference_id, contract_id = signed_venue_contract(system)

    log = read_log(system.amqp_uri, "vendors", page_size=2)

    assert [e["notification_id"] for e in log] == [1, 2, 3]
    assert [e["event_type"] for e in log] == ["VendorAdded", "ContractDrafted", "ContractSigned"]
    assert {e["conference_id"] for e in log} == {conference_id}
    assert log[2]["aggregate_id"] == contract_id
    checklist_log = read_log(system.amqp_uri, "checklist", page_size=100)
    assert checklist_log[0]["event_type"] == "ConferenceOpened"
    assert [e["notification_id"] for e in checklist_log] == list(range(1, len(checklist_log) + 1))
