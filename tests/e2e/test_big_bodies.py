"""Bodies far beyond what a command may be (the edge reads a command's body no further
than its limit: 413) leave every service healthy and store nothing: the event flow still
works afterwards, and the audit trail rebuilt from the logs equals the live one.

A service refusing a body early may close the connection while the client is still
sending, so a client sees either the 413 or the connection cut; both are refusals."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.slice import (
    audit_trail,
    rebuild_audit,
    signed_venue_contract,
    wait_for_status,
)
from tests.support.system import System, wait_settled, wait_until

MB = 1024 * 1024
SOME_ID = str(uuid.uuid4())

# Where each service takes commands (the ones with none yet: a POST their edge refuses).
COMMAND_PATHS = {
    "registration": ["/orders", f"/orders/{SOME_ID}/payments", "/dead-letters/replay"],
    "budget": [f"/conferences/{SOME_ID}/budget", f"/conferences/{SOME_ID}/ledger/expenses"],
    "speakers": ["/speakers"],
    "vendors": ["/vendors", "/contracts", f"/contracts/{SOME_ID}/sign", "/dead-letters/replay"],
    "checklist": ["/conferences", f"/conferences/{SOME_ID}/team", "/dead-letters/replay"],
    "reporting": ["/audit/rebuild", "/dead-letters/replay"],
}
REFUSED = {413, 404, 405}  # too large; or no such command (yet) on that service


def json_body(size: int) -> bytes:
    """A JSON object of `size` bytes, a plausible command but for its length."""
    head, tail = b'{"name": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def send(system: System, service: str, path: str, body: bytes) -> str:
    """How the service answered: its status, or `cut` if it closed the connection."""
    try:
        answer = system[service].post(path, body, timeout=60)
    except OSError:  # BrokenPipe, ConnectionReset: refused before the body was read
        return "cut"
    if answer.status == 413:
        assert "bytes" in answer.json["message"], answer  # it names the limit
    return str(answer.status)


def events_stored(system: System) -> dict[str, float]:
    return {
        name: system[name].metric("huiwu_events_stored", service=name)
        for name in system.registry.names
    }


def settled_trail(system: System) -> list[dict]:
    """The live audit trail, once reporting holds every event stored anywhere."""

    def settled() -> list[dict] | None:
        stored = sum(events_stored(system).values())  # reactions may still be recorded
        trail = audit_trail(system)
        return trail if len(trail) == stored else None

    # after a flood of bodies a busy machine takes a while to drain: wait for the state
    wait_settled(system, timeout=90)
    return wait_until(settled, timeout=90)


def assert_healthy_and_flowing(system: System, before: dict[str, float]) -> None:
    for name in system.registry.names:
        health = system[name].get("/health")
        assert health.status == 200 and health.json["checks"]["store"]["ok"], (name, health)
    assert events_stored(system) == before  # nothing of the bodies was stored
    conference_id, _ = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")
    live = settled_trail(system)
    assert rebuild_audit(system)["events"] == len(live)
    assert audit_trail(system) == live


@pytest.fixture
def everyone(system: System) -> System:
    system.start(*system.registry.names)
    conference_id, _ = signed_venue_contract(system)  # some history before the bodies
    wait_for_status(system, conference_id, "1.3.5", "verified")
    wait_settled(system, timeout=90)  # budget's and checklist's reactions recorded
    settled_trail(system)
    return system


def test_a_50_mb_body_to_every_command_endpoint_is_refused_and_harms_nothing(everyone):
    before = events_stored(everyone)
    body = json_body(50 * MB)

    answers = {
        (name, path): send(everyone, name, path, body)
        for name, paths in COMMAND_PATHS.items()
        for path in paths
    }

    assert set(answers.values()) <= REFUSED_OR_CUT, answers
    assert_healthy_and_flowing(everyone, before)


def test_twenty_5_mb_bodies_at_once_to_every_service_are_refused_and_harm_nothing(everyone):
    before = events_stored(everyone)
    body = json_body(5 * MB)
    targets = [
        (name, paths[i % len(paths)]) for name, paths in COMMAND_PATHS.items() for i in range(20)
    ]

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        answers = list(pool.map(lambda t: (t[0], send(everyone, *t, body)), targets))

    counted = Counter(answers)
    assert sum(counted.values()) == 20 * len(COMMAND_PATHS)
    assert {answer for _, answer in answers} <= REFUSED_OR_CUT, counted
    assert_healthy_and_flowing(everyone, before)


REFUSED_OR_CUT = {str(status) for status in REFUSED} | {"cut"}
