"""Container health check for one Huiwu service: exit 0 when its GET /health answers 200.

The image runs any of the six services, so the script finds out which one: from
HUIWU_SERVICE if set, else from the command line of the container's main process
(`python -m huiwu.runner <service>`). The port follows the service's own configuration
(HUIWU_PORT_<SERVICE>, else the default port). Standard library only: the slim image has
no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

try:
    from services.common.config import Settings

    PORTS = Settings.from_env().ports
except Exception:  # noqa: BLE001 - fall back to the documented defaults
    PORTS = {
        "registration": 8001,
        "budget": 8002,
        "vendors": 8003,
        "speakers": 8004,
        "checklist": 8005,
        "reporting": 8006,
    }
    for _name in list(PORTS):
        _raw = os.environ.get(f"HUIWU_PORT_{_name.upper()}")
        if _raw:
            PORTS[_name] = int(_raw)


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
