"""What the nameko side of the kernel decides by itself: a command's outcome by status."""

import pytest

from services.common.providers import OUTCOMES, outcome_of


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "ok"),
        (201, "ok"),
        (400, "invalid"),
        (413, "invalid"),
        (404, "not_found"),
        (409, "conflict"),
        (503, "unavailable"),
        (500, "error"),
        (502, "error"),
    ],
)
def test_a_commands_outcome_follows_the_status_of_its_answer(status, outcome):
    assert outcome_of(status) == outcome


def test_every_outcome_a_command_can_have_is_declared_up_front():
    assert set(OUTCOMES.values()) == {
        "ok",
        "invalid",
        "unauthenticated",
        "forbidden",
        "not_found",
        "conflict",
        "unavailable",
        "error",
    }


def test_a_reply_that_cannot_be_sent_is_logged_and_the_service_goes_on(monkeypatch, caplog):
    from nameko.rpc import RpcConsumer

    from services.common.service import _SafeRpcConsumer

    def broken(self, message, result, exc_info):
        raise ConnectionResetError("the broker closed the connection")

    monkeypatch.setattr(RpcConsumer, "handle_result", broken)
    consumer = _SafeRpcConsumer()
    acked = []
    consumer.queue_consumer = type("Q", (), {"ack_message": lambda self, m: acked.append(m)})()

    result = consumer.handle_result("the request", ["an envelope"], None)

    assert result == (["an envelope"], None)  # returned: the worker, and the service, go on
    assert acked == ["the request"]
    assert "could not send an RPC reply" in caplog.text
