"""Every service reports health and the metrics operators alert on."""

from tests.support.slice import signed_venue_contract, wait_for_status
from tests.support.system import wait_until

ALL = ("registration", "budget", "vendors", "speakers", "checklist", "reporting")


def test_every_service_serves_health_metrics_and_its_event_catalogue(system):
    system.start(*ALL)
    for name in ALL:
        health = system[name].get("/health")
        assert health.status == 200, health
        assert health.json["service"] == name
        assert health.json["checks"]["store"]["ok"] is True
        assert health.json["checks"]["broker"]["ok"] is True
        assert ":**@" in health.json["checks"]["broker"]["uri"]  # no password shown
        metrics = system[name].get("/metrics")
        assert metrics.status == 200
        assert metrics.content_type.startswith("text/plain")
        for metric in ("huiwu_events_stored", "huiwu_events_published", "huiwu_relay_lag"):
            assert f'{metric}{{service="{name}"}}' in metrics.text
    catalogue = system["vendors"].get("/events/catalog").json
    assert catalogue["exchange"] == "vendors.events"
    assert catalogue["events"]["ContractSigned"]["fields"]["amount_minor"]["type"] == "Integer"


def test_metrics_follow_commands_relay_and_consumers(system):
    system.start("vendors", "checklist", "reporting")
    conference_id, _ = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")
    vendors, checklist = system["vendors"], system["checklist"]

    assert vendors.metric("huiwu_commands_total", command="SignContract", outcome="ok") == 1
    assert vendors.metric("huiwu_command_duration_seconds_count", command="SignContract") == 1
    assert vendors.metric("huiwu_events_stored", service="vendors") == 3
    wait_until(lambda: vendors.metric("huiwu_events_published", service="vendors") == 3)
    assert vendors.metric("huiwu_relay_lag", service="vendors") == 0
    assert vendors.metric("huiwu_relay_published_events_total") == 3
    assert (
        checklist.metric("huiwu_consumer_messages_total", upstream="vendors", outcome="processed")
        == 3
    )
    assert checklist.metric("huiwu_consumer_lag", upstream="vendors") == 0
    assert (
        checklist.metric(
            "huiwu_dead_lettered_messages_total", upstream="vendors", reason="invalid_payload"
        )
        == 0
    )
    assert "huiwu_dead_lettered_messages_total" in checklist.get("/metrics").text
    wait_until(
        lambda: (
            system["reporting"].metric(
                "huiwu_consumer_messages_total", upstream="checklist", outcome="processed"
            )
            >= 8
        )  # ConferenceOpened, 6 EntryPlanned, EntryVerified
    )
