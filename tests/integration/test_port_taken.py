"""A service whose HTTP port is already taken does not start: it never shares the port
with another process, which would silently answer half of its requests."""

from __future__ import annotations

import socket

import pytest


def test_a_service_refuses_to_start_on_a_port_another_process_listens_on(sqlite_system):
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as eventlet would
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        sqlite_system.ports["registration"] = squatter.getsockname()[1]

        with pytest.raises(AssertionError, match="exited early") as refused:
            sqlite_system.start("registration")

    assert "Address already in use" in str(refused.value)
    sqlite_system.services.pop("registration", None)  # it is gone; nothing to stop
