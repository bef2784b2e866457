"""A tiny HTTP server that answers canned JSON and records what it was asked."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeService:
    """Answers `routes[(method, path)] = (status, body)`; 404 JSON for anything else."""

    def __init__(self, routes: dict[tuple[str, str], tuple[int, Any]] | None = None) -> None:
        self.routes = dict(routes or {})
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": path,
                        "query": query,
                        "body": json.loads(raw) if raw and _is_json(self.headers) else None,
                        "raw": raw,
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                status, body = fake.routes.get(
                    (self.command, path), (404, {"error": "NotFound", "message": "no route"})
                )
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _is_json(headers: Any) -> bool:
    """A body sent as JSON (or as nothing said): an uploaded file is kept as bytes only."""
    kind = headers.get("Content-Type") or "application/json"
    return kind.startswith("application/json")
