"""Reading a service's notification log over nameko RPC, as an outside program does
(examples/read_log.py, run in a process of its own: nameko's proxy needs eventlet)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from . import amqp
from .system import ROOT


def read_log(
    amqp_uri: str, service: str, page_size: int = 100, as_principal: str = "auditor"
) -> list[dict[str, Any]]:
    """The whole log, read as the auditor (or as `as_principal`'s broker user)."""
    result = read_log_as(amqp.as_user(amqp_uri, as_principal), service, page_size)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def read_log_as(amqp_uri: str, service: str, page_size: int = 100) -> subprocess.CompletedProcess:
    """Run the reader as the user of `amqp_uri`; its outcome, refused or not."""
    code = (
        "import json, sys; from examples.read_log import read_log; "
        f"print(json.dumps(list(read_log(sys.argv[1], {service!r}, {page_size}))))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, amqp_uri],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
