"""Container health check for one Huiwu service: exit 0 when its GET /health answers 200.

The image runs any of the six services, so the script finds out which one: from
HUIWU_SERVICE if set, else from the command line of the container's main process
(`python -m huiwu.runner <service>`). The port follows the service's own configuration
(HUIWU_PORT_<SERVICE>, else the default port). No curl in the slim image: urllib.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from services.common.config import Settings  # the image installs the project

PORTS = Settings.from_env().ports


def service_name() -> str | None:
    name = os.environ.get("HUIWU_SERVICE")
    if name:
        return name
    try:
        with open("/proc/1/cmdline", "rb") as f:
            args = [a.decode() for a in f.read().split(b"\0") if a]
    except OSError:
        return None
    for arg in reversed(args):
        if arg in PORTS:
            return arg
    return None


def main() -> int:
    name = service_name()
    if name not in PORTS:
        print(f"unhealthy: cannot tell which service runs here ({name!r})", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{PORTS[name]}/health"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
