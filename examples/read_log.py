"""Read a service's notification log over nameko RPC, from position 1, page by page.

    python examples/read_log.py vendors

This is how a new subscriber catches up on history, or fills a gap it noticed.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # nameko's standalone proxy runs on eventlet

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402


def read_log(amqp_uri: str, service: str, page_size: int = 100):
    """Yield every envelope of `service`'s log in order."""
    start = 1
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as cluster:
        while True:
            page = getattr(cluster, service).notifications(start=start, limit=page_size)
            if not page:
                return
            yield from page
            start = page[-1]["notification_id"] + 1


if __name__ == "__main__":
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    for envelope in read_log(uri, sys.argv[1] if len(sys.argv) > 1 else "vendors"):
        print(json.dumps(envelope, ensure_ascii=False))
