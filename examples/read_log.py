"""Read a service's notification log over nameko RPC, from position 1, page by page.

    AMQP_URI=amqp://huiwu-auditor:<password>@127.0.0.1:5672/ python examples/read_log.py vendors

This is how a new subscriber catches up on history, or fills a gap it noticed. A service
answers only its followers and the auditor, by the AMQP user_id of the request (which the
broker checks): read as `huiwu-auditor`, or as a service that follows this one.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # nameko's standalone proxy runs on eventlet

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from kombu import Connection  # noqa: E402

from services.common.upstream_logs import ExpiringClusterRpcProxy  # noqa: E402


def read_log(amqp_uri: str, service: str, page_size: int = 100):
    """Yield every envelope of `service`'s log in order."""
    start = 1
    user = Connection(amqp_uri).userid  # the requests say who asks; the broker checks it
    proxy = ExpiringClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10, user=user)
    proxy.expect_replies_from(f"huiwu-{service}")  # a page counts only from the service
    with proxy as cluster:
        while True:
            page = getattr(cluster, service).notifications(start=start, limit=page_size)
            if not page:
                return
            yield from page
            start = page[-1]["notification_id"] + 1


if __name__ == "__main__":
    uri = os.environ.get("AMQP_URI", "amqp://huiwu-auditor:huiwu-auditor-dev@127.0.0.1:5672/")
    for envelope in read_log(uri, sys.argv[1] if len(sys.argv) > 1 else "vendors"):
        print(json.dumps(envelope, ensure_ascii=False))
