"""A message that cannot be decoded (not JSON, or another content type) is dead-lettered
with why and counted, and the real events behind it are still applied."""

import pickle

from tests.support import amqp
from tests.support.slice import ok, signed_venue_contract, wait_for_status
from tests.support.system import wait_until


def publish_raw(uri: str, body: bytes, content_type: str) -> None:
    """As vendors itself (a bug there): authentic, but not something a consumer can read."""
    amqp.publish_as(
        amqp.as_user(uri, "vendors"),
        "vendors",
        body,
        user_id="huiwu-vendors",
        content_type=content_type,
        content_encoding="binary" if "json" not in content_type else "utf-8",
    )


def test_undecodable_messages_are_dead_lettered_and_counted_and_the_real_ones_applied(
    system, vhost
):
    system.expect_errors("dead-lettered a message from vendors (undecodable)")
    system.start("checklist", "vendors")
    checklist = system["checklist"]
    junk = [
        (b"{not json", "application/json"),
        ("签约了".encode(), "text/plain"),
        (pickle.dumps({"event_type": "ContractSigned"}), "application/x-python-serialize"),
    ]
    for body, content_type in junk:
        publish_raw(vhost.uri, body, content_type)

    conference_id, _ = signed_venue_contract(system)  # real events, after the junk

    wait_for_status(system, conference_id, "1.3.5", "verified")
    count = lambda: checklist.metric(  # noqa: E731
        "huiwu_dead_lettered_messages_total", upstream="vendors", reason="undecodable"
    )
    wait_until(lambda: count() == len(junk))
    assert ok(checklist.get("/dead-letters"))["messages"] == len(junk)
    dead = amqp.drain_raw(vhost.uri, "checklist.dead-letters")
    assert sorted(body for body, _ in dead) == sorted(body for body, _ in junk)
    assert {headers["x-huiwu-reason"] for _, headers in dead} == {"undecodable"}
    assert all("content type" in headers["x-huiwu-error"] for _, headers in dead)
