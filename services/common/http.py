"""The JSON edge of a service: load with a schema, call the use case, map errors once.

Every command is counted and timed by outcome; a caller's mistake is a 4xx that names the
field and why, never a 500.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Request, Response

from .errors import HuiwuError

log = logging.getLogger(__name__)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
    )


def read_json(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValidationError({"_body": [f"request body is not valid JSON: {exc}"]}) from None
    if not isinstance(data, dict):
        raise ValidationError({"_body": ["request body must be a JSON object"]})
    return data


def file_response(body: bytes, content_type: str, filename: str) -> Response:
    """A download: the bytes, their full content type and the name to save them under."""
    quoted = urllib.parse.quote(filename, safe="")
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    response = Response(body, status=200, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    )
    return response


def endpoint(command: str, schema: type[Schema] | None = None, status: int = 200) -> Callable:
    """Wrap a nameko http handler `(self, request, data, **path)` with load, errors, metrics.

    With a schema, the JSON body (or the query string for GET) is loaded into `data`.
    """
    return _edge(command, schema, lambda result: json_response(result, status))


def file_endpoint(command: str, schema: type[Schema] | None = None) -> Callable:
    """As `endpoint`, for a handler that answers with its own Response (a file to download).

    Errors are JSON as for every endpoint; the command is counted and timed the same way.
    """

    def respond(result: Any) -> Response:
        if not isinstance(result, Response):
            raise TypeError(f"{command} must return a werkzeug Response, not {type(result)}")
        return result

    return _edge(command, schema, respond)


def _edge(command: str, schema: type[Schema] | None, respond: Callable[[Any], Response]):
    loader = schema() if schema is not None else None

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(self, request: Request, **path: Any) -> Response:
            started = time.perf_counter()
            outcome = "ok"
            try:
                data: dict[str, Any] = {}
                if loader is not None:
                    source = (
                        request.args.to_dict() if request.method == "GET" else read_json(request)
                    )
                    data = loader.load(source)
                result = handler(self, request, data, **path)
                return respond(result)
            except ValidationError as exc:
                outcome = "invalid"
                body = {"error": "ValidationError", "message": "invalid input"}
                return json_response({**body, "errors": exc.messages}, 400)
            except HuiwuError as exc:
                outcome = {404: "not_found", 409: "conflict", 503: "unavailable"}.get(
                    exc.status, "invalid"
                )
                return json_response(exc.to_dict(), exc.status)
            except Exception:
                outcome = "error"
                log.exception("%s failed", command)
                return json_response(
                    {"error": "InternalError", "message": f"{command} failed; see the service log"},
                    500,
                )
            finally:
                self.kernel.metrics.count_command(command, outcome, time.perf_counter() - started)

        return wrapper

    return decorate
