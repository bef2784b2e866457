"""Every service reports health and the metrics operators alert on."""

from tests.support.slice import ok, signed_venue_contract, wait_for_status
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
    vendors, checklist, reporting = system["vendors"], system["checklist"], system["reporting"]

    assert vendors.metric("huiwu_commands_total", command="SignContract", outcome="ok") == 1
    assert vendors.metric("huiwu_commands_total", command="SignContract", outcome="error") == 0
    assert vendors.metric("huiwu_command_duration_seconds_count", command="SignContract") == 1
    assert vendors.metric("huiwu_events_stored", service="vendors") == 3  # added, drafted, signed
    # The relay publishes from a background thread after the commit: the reply to the
    # command may come first. The counter moves just after the position, so wait for both.
    wait_until(lambda: vendors.metric("huiwu_events_published", service="vendors") == 3)
    wait_until(lambda: vendors.metric("huiwu_relay_published_events_total") == 3)
    assert vendors.metric("huiwu_relay_lag", service="vendors") == 0
    # An event may reach checklist by delivery, by a gap fill or by the catch-up: each is
    # counted `processed` once it is applied, just after its commit, which is what made
    # 1.3.5 verified. So wait for the count, then it must not go beyond the 3 events.
    wait_until(
        lambda: (
            checklist.metric(
                "huiwu_consumer_messages_total", upstream="vendors", outcome="processed"
            )
            == 3
        )
    )
    wait_until(lambda: checklist.metric("huiwu_consumer_lag", upstream="vendors") == 0)
    for outcome in ("dead_lettered", "malformed"):
        assert (
            checklist.metric("huiwu_consumer_messages_total", upstream="vendors", outcome=outcome)
            == 0
        )
    assert (
        checklist.metric(
            "huiwu_dead_lettered_messages_total", upstream="vendors", reason="invalid_payload"
        )
        == 0
    )
    # Checklist's reactions to vendors' events are committed with their tracking position:
    # with all 3 processed, its log is complete. ConferenceOpened, one EntryPlanned for each
    # entry of the plan (section 1 only), RuleProgressed for 1.3.1 (the venue added is one
    # candidate of two) and EntryVerified for 1.3.5.
    planned = ok(checklist.get(f"/conferences/{conference_id}"))["entries"]
    stored = checklist.metric("huiwu_events_stored", service="checklist")
    assert stored == 1 + planned + 2
    for upstream, count in (("checklist", stored), ("vendors", 3)):
        wait_until(
            lambda u=upstream, n=count: (
                reporting.metric("huiwu_consumer_messages_total", upstream=u, outcome="processed")
                == n
            )
        )
        assert (
            reporting.metric(
                "huiwu_consumer_messages_total", upstream=upstream, outcome="dead_lettered"
            )
            == 0
        )
    assert checklist.metric("huiwu_events_stored", service="checklist") == stored  # no more
