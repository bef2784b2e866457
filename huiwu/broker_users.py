"""Create the services' broker users and their permissions (docs/operations.md).

    python -m huiwu.broker_users apply [--vhost /]        # through rabbitmqctl, idempotent
    python -m huiwu.broker_users definitions [--vhost /]  # the definitions JSON, to stdout

Passwords come from HUIWU_BROKER_PASSWORD_<SERVICE> (and _AUDITOR), each with a
development default (`huiwu-<name>-dev`) when unset. `definitions` can add an
administrator (HUIWU_RABBITMQ_USER and HUIWU_RABBITMQ_PASSWORD), for a broker that loads
the file when it boots (docker-compose).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from services.common.broker_access import definitions, password_hash
from services.common.config import Settings


def build(vhost: str, with_admin: bool, env: dict[str, str]) -> dict[str, Any]:
    settings = Settings.from_env(env)
    users: list[dict[str, Any]] = []
    permissions: list[dict[str, str]] = []
    if with_admin:
        missing = [k for k in ("HUIWU_RABBITMQ_USER", "HUIWU_RABBITMQ_PASSWORD") if not env.get(k)]
        if missing:
            raise SystemExit(f"huiwu.broker_users: set {' and '.join(missing)}")
        admin = env["HUIWU_RABBITMQ_USER"]
        users.append(
            {
                "name": admin,
                "password_hash": password_hash(env["HUIWU_RABBITMQ_PASSWORD"]),
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": ["administrator"],
            }
        )
        permissions.append(
            {"user": admin, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}
        )
    return definitions(settings.registry, vhost, settings.broker_password, users, permissions)


def rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    result = subprocess.run([ctl, "-q", *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"rabbitmqctl {args[0]} failed: {result.stderr.strip() or result.stdout}")


def apply(document: dict[str, Any]) -> None:
    """Import the definitions into the running broker: users, virtual host, permissions."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(document, handle)
    try:
        os.chmod(handle.name, 0o644)  # rabbitmqctl may run as the rabbitmq user
        rabbitmqctl("import_definitions", handle.name)
    finally:
        os.unlink(handle.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m huiwu.broker_users", description=__doc__)
    parser.add_argument("action", choices=("apply", "definitions"))
    parser.add_argument("--vhost", default="/", help="the virtual host to grant on (/)")
    parser.add_argument(
        "--with-admin",
        action="store_true",
        help="add the administrator HUIWU_RABBITMQ_USER (definitions loaded at boot)",
    )
    args = parser.parse_args(argv)
    document = build(args.vhost, args.with_admin, dict(os.environ))
    if args.action == "definitions":
        json.dump(document, sys.stdout, indent=2)
        print()
    else:
        apply(document)
        users = ", ".join(user["name"] for user in document["users"])
        print(f"broker users ready on vhost {args.vhost!r}: {users}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
