"""A log read sent to a service that is not answering expires in the broker: the service
does not find a pile of stale requests when it comes back."""

from kombu import Connection

from tests.support.slice import SECTION_ONE, open_conference
from tests.support.system import wait_until

FAST = {"HUIWU_CATCH_UP_INTERVAL": "1", "HUIWU_RPC_TIMEOUT": "1"}


def waiting(uri: str, queue: str) -> int:
    with Connection(uri) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


def test_log_reads_of_a_stopped_service_expire_instead_of_piling_up(system):
    system.start("vendors", "checklist", extra_env=FAST)
    open_conference(system, **SECTION_ONE)
    system["vendors"].stop()  # its request queue stays; checklist keeps reading its log

    seen = []
    wait_until(lambda: seen.append(waiting(system.amqp_uri, "rpc-vendors")) or seen[-1] >= 1)
    wait_until(lambda: waiting(system.amqp_uri, "rpc-vendors") == 0)  # expired, not read
    assert max(seen) <= 2

    system["vendors"].start(FAST)
    assert system["vendors"].get("/health").status == 200
