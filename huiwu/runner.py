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

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from services.common.config import SERVICES, Settings  # noqa: E402


def service_class(name: str) -> type:
    module = importlib.import_module(f"services.{name}.service")
    return module.Service


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in SERVICES:
        print(f"usage: python -m huiwu.runner {{{','.join(SERVICES)}}}", file=sys.stderr)
        return 2
    name = argv[0]
    logging.basicConfig(
        level=os.environ.get("HUIWU_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("nameko").setLevel(logging.WARNING)
    settings = Settings.from_env()
    runner = ServiceRunner(settings.nameko_config(name))
    runner.add_service(service_class(name))

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
