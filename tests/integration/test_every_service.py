"""What every service of the registry gets for free, checked for each one (a new service's
line in the registry puts it under these tests): health, metrics, its catalogue and log,
bad input refused by field with nothing stored, and its read models rebuilt from the logs.
"""

from __future__ import annotations

import importlib
import inspect
import re
import uuid
from typing import Any

from services.common.config import Settings
from services.common.service import service_class
from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, add_vendor, draft_contract, ok, open_conference, sign
from tests.support.system import System, wait_settled, wait_until

PATH_VALUE = {"code": "1.3.5"}


def commands_of(system: System, name: str) -> list[tuple[str, str, str]]:
    """(command, method, url) of each command entrypoint of the service's class."""
    cls = service_class(system.registry.spec(name), system.registry)
    found = []
    for _, method in inspect.getmembers(cls, callable):
        command = getattr(method, "huiwu_command", None)
        edge = getattr(method, "huiwu_edge", None)
        if edge is None or edge.kind != "command":  # a POST that reads no body is not one
            continue
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if getattr(entrypoint, "method", None) == "POST":
                found.append((command, entrypoint.method, entrypoint.url))
    return sorted(found)


def uploads(system: System, name: str) -> set[str]:
    """The commands of the service whose body is a file (the caller's fields in the query)."""
    cls = service_class(system.registry.spec(name), system.registry)
    return {
        edge.name
        for _, method in inspect.getmembers(cls, callable)
        if (edge := getattr(method, "huiwu_edge", None)) is not None and edge.caller == "query"
    }


def concrete(url: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PATH_VALUE.get(m[1], str(uuid.uuid4())), url)


def busy(system: System) -> str:
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    ok(sign(system, contract_id))
    wait_settled(system)  # budget and checklist have recorded what the contract causes
    return conference_id


def test_every_service_serves_health_metrics_its_catalogue_and_its_log(system):
    names = system.registry.names
    system.start(*names)
    busy(system)
    for name in names:
        service = system[name]
        health = ok(service.get("/health"))
        assert health["ok"] and health["service"] == name, health
        catalog = system.registry.catalog(name)
        assert ok(service.get("/events/catalog")) == catalog.describe()
        stored = service.metric("huiwu_events_stored", service=name)
        wait_until(lambda s=service, n=name: s.metric("huiwu_relay_lag", service=n) == 0)
        for upstream in system.registry.upstreams(name):  # every series from the start
            assert service.metric("huiwu_consumer_lag", upstream=upstream) >= 0
        for command, _, _ in commands_of(system, name):
            assert service.metric("huiwu_commands_total", command=command, outcome="error") == 0
        log = read_log(system.amqp_uri, name, page_size=50)
        assert [e["notification_id"] for e in log] == list(range(1, int(stored) + 1))
        assert all(e["service"] == name and e["event_type"] in catalog for e in log)


def test_every_command_refuses_bad_input_by_field_and_stores_nothing(system):
    names = system.registry.names
    system.start(*names)
    busy(system)
    checked = 0
    for name in names:
        service = system[name]
        before = service.metric("huiwu_events_stored", service=name)
        files = uploads(system, name)
        for command, _, url in commands_of(system, name):
            path = concrete(url)
            not_json = service.post(path, b"\x00 not json")
            # The actor is the token's holder: a body naming one is refused by that field.
            if command in files:  # the caller's fields are in the query string
                actor = service.post(path + "?actor=%E6%9D%8E", b"PK", as_="admin")
            else:
                actor = service.post(path, {"actor": "李总"}, as_="admin")
            assert actor.status == 400, (command, actor)
            assert "actor" in actor.json["errors"], (command, actor.json)
            if command not in files:  # the body of an upload is the file
                assert not_json.status == 400, (command, not_json)
                assert "_body" in not_json.json["errors"], (command, not_json.json)
            invalid = service.metric("huiwu_commands_total", command=command, outcome="invalid")
            assert invalid >= (1 if command in files else 2), command
            checked += 1
        assert service.metric("huiwu_events_stored", service=name) == before
    assert checked >= 15  # vendors and checklist alone have that many commands


def test_every_read_model_is_rebuilt_equal_from_the_logs(system):
    names = system.registry.names
    system.start(*names)
    conference_id = busy(system)
    wait_until(
        lambda: (
            ok(system["checklist"].get(f"/conferences/{conference_id}/entries/1.3.5"))["status"]
            == "verified"
        )
    )
    wait_until(lambda: all(system[n].metric("huiwu_relay_lag", service=n) == 0 for n in names))
    settings = Settings.from_env(system.env())
    rebuilt = []
    for name in names:
        wired = _wired(settings, name)
        try:
            sinks = list(wired.projections)
            if not sinks:
                continue
            before = {sink.name: _tables(sink) for sink in sinks}
            system[name].stop()
            for sink in sinks:
                sink.reset()
                assert all(not rows for rows in _tables(sink).values())
            system.start(name)
            for sink in sinks:
                wait_until(lambda s=sink, b=before: _tables(s) == b[s.name], timeout=60)
                rebuilt.append(f"{name}.{sink.name}")
        finally:
            wired.close()
    assert {"vendors.known_conferences", "checklist.plan", "reporting.audit_trail"} <= set(rebuilt)


def _wired(settings: Settings, name: str) -> Any:
    spec = settings.registry.spec(name)
    return importlib.import_module(f"{spec.package}.bootstrap").bootstrap(settings)


def _tables(sink) -> dict[str, list[tuple]]:
    with sink.db.transaction() as cur:
        return {
            table: sorted(
                tuple(str(v) for v in row)
                for row in cur.execute("SELECT * FROM {t}", t=table).fetchall()
            )
            for table in sink.projection.tables
        }
