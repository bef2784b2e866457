"""A service made by the recipe (docs/adding-a-service.md) — a folder of its own and one
line in a registry, nothing else — starts, serves health, metrics, its catalogue and its
log, takes typed commands, and follows another service."""

import pytest

from tests.integration.welcome.events import CATALOG
from tests.support.database import DATABASE_URL
from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, ok, open_conference
from tests.support.stores import provision_postgres
from tests.support.system import running_system, wait_until

REGISTRY = "tests.integration.welcome.registry"


@pytest.fixture
def welcome_system(vhost, store_env, tmp_path, request):
    if "HUIWU_SCHEMA_PREFIX" in store_env:  # its role and schema, as the setup makes them
        provision_postgres(DATABASE_URL, store_env["HUIWU_SCHEMA_PREFIX"], ("welcome",))
    yield from running_system(
        vhost.uri, {**store_env, "HUIWU_REGISTRY": REGISTRY}, tmp_path, request
    )


def test_a_service_made_by_the_recipe_runs_and_follows_another(welcome_system):
    system = welcome_system
    assert "welcome" in system.registry and system.registry.upstreams("welcome") == ("checklist",)
    system.start("checklist", "welcome")  # waits for welcome's consumer of checklist, too
    welcome = system["welcome"]

    health = ok(welcome.get("/health"))
    assert health["service"] == "welcome" and health["checks"]["store"]["ok"]
    assert ok(welcome.get("/events/catalog")) == CATALOG.describe()
    assert welcome.metric("huiwu_events_stored", service="welcome") == 0

    conference_id = open_conference(system, **SECTION_ONE)
    prepared = wait_until(
        lambda: (r := welcome.get(f"/welcomes/{conference_id}")).status == 200 and r
    )
    assert prepared.json["conference_name"] == "Asia Pharma Forum 2027"

    opened = system["checklist"].metric("huiwu_events_stored", service="checklist")
    wait_until(
        lambda: (
            welcome.metric(
                "huiwu_consumer_messages_total", upstream="checklist", outcome="processed"
            )
            + welcome.metric(
                "huiwu_consumer_messages_total", upstream="checklist", outcome="caught_up"
            )
            == opened
        )
    )
    assert welcome.metric("huiwu_events_stored", service="welcome") == 1

    refused = welcome.post(f"/welcomes/{conference_id}/send", {"actor": "wang"})
    assert refused.status == 400 and set(refused.json["errors"]) == {"note"}
    sent = ok(welcome.post(f"/welcomes/{conference_id}/send", {"note": "欢迎", "actor": "wang"}))
    assert sent["note"] == "欢迎" and sent["version"] == 2
    assert welcome.metric("huiwu_commands_total", command="SendWelcome", outcome="invalid") == 1
    assert welcome.metric("huiwu_commands_total", command="SendWelcome", outcome="ok") == 1

    log = read_log(system.amqp_uri, "welcome")
    assert [e["event_type"] for e in log] == ["WelcomePrepared", "WelcomeSent"]
    (conference_opened,) = [
        e for e in read_log(system.amqp_uri, "checklist") if e["event_type"] == "ConferenceOpened"
    ]
    assert log[0]["causation_id"] == conference_opened["event_id"]
    assert log[0]["correlation_id"] == conference_opened["correlation_id"]
    assert log[1]["actor"] == "wang"
