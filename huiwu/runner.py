"""Run one Huiwu service in this process: `python -m huiwu.runner vendors`.

eventlet must patch the standard library before anything else is imported, and psycopg
must use a wait function that yields to eventlet (see docs/architecture.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

import warnings  # noqa: E402

# eventlet announces its maintenance mode on import; nameko 2 still needs it.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402

import nameko.web.server  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402


def _listen_alone(addr, *args, **kwargs):
    """eventlet.listen sets SO_REUSEPORT: a second process could then bind the same port
    and silently take half of its requests. A port already taken must fail the start."""
    kwargs["reuse_port"] = False
    return eventlet.listen(addr, *args, **kwargs)


# nameko's web server reaches eventlet through this name for `listen` alone.
nameko.web.server.eventlet = types.SimpleNamespace(listen=_listen_alone)

from services.common.config import Settings  # noqa: E402
from services.common.service import service_class  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"huiwu.runner: configuration error: {exc}", file=sys.stderr)
        return 2
    if len(argv) != 1 or argv[0] not in settings.registry:
        print(f"usage: python -m huiwu.runner {{{','.join(settings.services)}}}", file=sys.stderr)
        return 2
    name = argv[0]
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("nameko").setLevel(logging.WARNING)
    runner = ServiceRunner(settings.nameko_config(name))
    runner.add_service(service_class(settings.registry.spec(name), settings.registry))

    def shutdown(signum: int, frame: object) -> None:
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("huiwu").info(
        "%s listening on %s:%s", name, settings.http_host, settings.ports[name]
    )
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
